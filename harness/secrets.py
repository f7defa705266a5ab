"""Secrets are used, never stored: options named like a credential are redacted in manifests, reports and the viewer.

An option is a secret when a word of its name is a credential word (`token`, `hf_token`, `password`, `auth`,
`api_key`, `secret_key`, `cookie`, ...); a URL's password and its credential-named query parameters are redacted too.
`unnorm_key` or `state_keys` are not secrets: `key` counts only alone or after api/access/secret/private/ssh.
A run started with a secret stores `<redacted>`; `vla-harness resume RUN -P NAME=VALUE` gives it again.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from vla_harness.harness.config import ConfigError

REDACTED = "<redacted>"
CREDENTIAL_WORDS = frozenset({"token", "secret", "password", "passwd", "auth", "authorization", "credential",
                              "credentials", "cookie", "apikey", "bearer", "passphrase"})
KEY_OWNERS = frozenset({"api", "access", "secret", "private", "ssh", "auth", "signing"})
OPTION_BLOCKS = ("policy_options", "bench_options")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def is_secret(name: str) -> bool:
    words = _words(str(name))
    if any(w in CREDENTIAL_WORDS or w.endswith("token") for w in words):
        return True
    return any(w == "key" and (i == 0 and len(words) == 1 or i > 0 and words[i - 1] in KEY_OWNERS)
               for i, w in enumerate(words))


def _redact_url(text: str) -> str:
    """A URL with its password and credential-named query values replaced; any other string unchanged."""
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return text
    if not parts.scheme or not parts.netloc:
        return text
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", f":{REDACTED}@", 1)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if any(is_secret(k) for k, _ in query):
        query_text = "&".join(f"{k}={REDACTED if is_secret(k) else v}" for k, v in query)
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query_text))
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)) if netloc != parts.netloc else text


def redact(value: Any) -> Any:
    """`value` with every secret-named entry (at any depth) and every URL's credentials replaced by REDACTED."""
    if isinstance(value, dict):
        return {k: (REDACTED if is_secret(k) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _redact_url(value)
    return value


def redact_config(config: dict[str, Any]) -> dict[str, Any]:
    """A RunConfig dict as manifests store it: its option blocks redacted."""
    return {**config, **{k: redact(config[k]) for k in OPTION_BLOCKS if isinstance(config.get(k), dict)}}


def redacted_names(config: dict[str, Any], block: str) -> list[str]:
    """The options of `block` a manifest stored redacted (what `resume` must be given again)."""
    return [k for k, v in (config.get(block) or {}).items() if REDACTED in str(v)]


def restore(config: dict[str, Any], given: dict[str, dict[str, Any]], run: str) -> dict[str, Any]:
    """The stored config with its redacted options given again (`given`: block -> options); a ConfigError names
    what is still missing, or an option given that was not redacted (resume re-runs the run as it was started)."""
    out = dict(config)
    for block, flag in (("policy_options", "-P"), ("bench_options", "-B")):
        wanted, options = redacted_names(config, block), given.get(block) or {}
        extra = sorted(set(options) - set(wanted))
        if extra:
            raise ConfigError(f"resume {flag} only gives back options stored redacted, not {', '.join(extra)}: a run "
                              "resumes with the options it started with")
        missing = [k for k in wanted if k not in options]
        if missing:
            raise ConfigError(f"{run} was started with secret option(s) {', '.join(missing)}, never stored: give "
                              f"{'them' if len(missing) > 1 else 'it'} again, e.g. `vla-harness resume {run} "
                              + " ".join(f"{flag} {k}=..." for k in missing) + "`")
        out[block] = {**(config.get(block) or {}), **options}
    return out
