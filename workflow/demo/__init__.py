"""The synthetic demo county and its 2018 played up to 1 August."""
