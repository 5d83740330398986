"""Project commands of Scrapy (``COMMANDS_MODULE``): ``crawl`` with exit statuses for cron."""
