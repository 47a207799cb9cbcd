"""The county itself: its divisions, departments and people, and the 建档立卡 register."""
