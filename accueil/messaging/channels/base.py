class DeliveryError(Exception):
    """A send failed. ``permanent`` failures (a rejected address) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent
