"""URL converters."""

from werkzeug.routing import IntegerConverter


class RowId(IntegerConverter):
    """`<row_id:name>`: a row's id in a URL. Beyond what the database holds, the URL matches no
    route (404), rather than failing in the database."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)
