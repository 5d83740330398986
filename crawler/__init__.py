"""The Scrapy project: the ``news`` spider, site profiles, extraction and the archive pipelines."""
