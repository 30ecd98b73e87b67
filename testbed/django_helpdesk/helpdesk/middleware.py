class ContentSecurityPolicy:
    """The twin's Content-Security-Policy: an API serves no pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Content-Security-Policy"] = "default-src 'none'"
        response["Cache-Control"] = "no-store"
        return response
