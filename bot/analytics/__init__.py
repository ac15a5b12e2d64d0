"""研判 (issue 23): what the hotline and the city read from the orders: volume over time with
同比/环比 by channel, type, district, topic and unit; hot spots against each place's own baseline;
the units' evaluation (考核). Every figure is counted in the database (GROUP BY over indexed
columns); nothing loads all orders into Python. Aggregates never carry a name or a phone.

See ``queries.py``; the HTTP side is ``bot/gateway/analytics_api.py``.
"""
