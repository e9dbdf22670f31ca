"""The claim registry (`claims.yaml`), its seed documents and the loader."""

from seeds.registry import (
    DEFAULT_CLAIMS_FILE,
    Claim,
    ClaimsFileError,
    Quantity,
    Watch,
    active_claims,
    linked_claims,
    load_claims,
    parse_claims,
)

__all__ = [
    "DEFAULT_CLAIMS_FILE",
    "Claim",
    "ClaimsFileError",
    "Quantity",
    "Watch",
    "active_claims",
    "linked_claims",
    "load_claims",
    "parse_claims",
]
