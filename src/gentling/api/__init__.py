"""The REST API (django-ninja), mounted at /api/v1/.

Endpoints only translate: request -> service call -> JSON. Every object is
fetched through the household access helpers, so a keeper's token sees only
their own households, and a viewer's token cannot write.
"""
