"""Gunicorn settings for the ceiling app: none of the forum's (gunicorn would otherwise read
./gunicorn.conf.py, whose start-up hook prepares the forum's database)."""
