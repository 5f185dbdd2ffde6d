"""The blueprint class every JSON API module uses, so all of them parse bodies the same way."""

import json

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser


class JSONParser(FlaskParser):
    """webargs' parser, answering 400 (not 500) to JSON nested too deep for Python to decode."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            error = json.JSONDecodeError("Nested too deeply", "", 0)
            return self._handle_invalid_json_error(error, req)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JSONParser()
