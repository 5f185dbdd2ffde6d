import pytest


@pytest.fixture
def keeper(login_as):
    """A supervisor of AMS-DCR1 and AMS-OUT1: keeps their books."""
    return login_as("supervisor", sites=("AMS-DCR1", "AMS-OUT1"))
