"""What each feature takes and gives, one module per feature: ``booking``, ``inventory``,
``lifecycle``, ``planning``, ``accounts``.

One naming convention: ``…In`` is what comes in (a request body, validated once at the
edge), ``…Patch`` a partial update (only the fields given change), ``…Out`` what goes
out (names and keys instead of ids). Shapes that are HTTP's own (query strings, list
pages, the error body) stay in ``web.api.schemas``.
"""
