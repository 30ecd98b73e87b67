import io

from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = "Request body too large."
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """The twin's JSON parser: a body over 1 MB is a 413 — DRF reads the request stream
    itself, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE, so the project's limit does not cover
    JSON — and a body nested too deep for Python's parser is a 400, not a 500."""

    MAX_BYTES = 1024 * 1024

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(self.MAX_BYTES + 1)
        if len(data) > self.MAX_BYTES:
            raise RequestTooLarge()
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON nested too deep")
