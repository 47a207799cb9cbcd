"""四统一: the household's facts reconciled across the national system's register, the police
register extract (公安户籍), the paper archive as recorded on 附件1 and the survey; each household
that differs becomes an A-FOUR gap for its township."""
