#!/usr/bin/env python3
"""A round trip through the Greenlight API, using nothing but the API (and the standard library).

Records a decision at the gate a proposal waits at and a spend entry on it, then
reads back the dashboard's metrics and prints them as JSON on standard output.

    GREENLIGHT_TOKEN=glt_… scripts/api_round_trip.py --url http://127.0.0.1:8000 --project KEY

The token must be a read-write token of the project's product manager (or an
executive who may also record spend: an admin's or the researcher's may not decide).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import urllib.error
import urllib.request


class ApiError(Exception):
    pass


class Client:
    def __init__(self, base_url: str, token: str):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) address: {base_url}")
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # nosec B310 # an http(s) URL (checked above): the caller's server
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 # as above
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            problem = json.loads(error.read() or b"{}")
            where = f" ({problem['field']})" if problem.get("field") else ""
            raise ApiError(
                f"{method} {path}: {error.code} {problem.get('detail')}{where}"
            ) from None


def round_trip(client: Client, key: str, *, amount: str, on: datetime.date) -> dict:
    me = client.request("GET", "/me")
    project = client.request("GET", f"/projects/{key}")
    gate = project["current_gate"]
    if gate is None:
        raise ApiError(f"{key} waits at no gate (it is {project['status']}).")
    criteria = next(g for g in client.request("GET", "/gates") if g["number"] == gate)["criteria"]
    scores = [
        {"criterion": c["id"], "met": True}
        if c["kind"] == "must"
        else {"criterion": c["id"], "score": 7}
        for c in criteria
    ]
    # The kill criteria this review is held to, each judged met; and a go to a next gate
    # registers one for the review after it (the decision panel's rules, docs/api.md).
    review = client.request("GET", f"/projects/{key}/review")
    verdicts = [
        {"criterion": c["id"], "met": True, "note": "Met, as the round trip records it."}
        for c in review["pending_kill_criteria"]
    ]
    last_gate = max(g["number"] for g in client.request("GET", "/gates"))
    kill_criteria = (
        [{"statement": "The pilot's users keep using it after the first month."}]
        if gate < last_gate
        else []
    )
    decision = client.request(
        "POST",
        f"/projects/{key}/decisions",
        {
            "gate": gate,
            "decision": "go",
            "decided_on": on.isoformat(),
            "funding_granted": "50000.00",
            "probability_of_success": "0.6",
            "rationale": f"Recorded through the API by {me['email']}.",
            "scores": scores,
            "kill_verdicts": verdicts,
            "kill_criteria": kill_criteria,
        },
    )
    spend = client.request(
        "POST",
        f"/projects/{key}/spend",
        {
            "spent_on": on.isoformat(),
            "amount": amount,
            "category": "compute",
            "note": "API round trip",
        },
    )
    print(
        f"{key}: {decision['decision']} at gate {decision['gate']}, "
        f"spend {spend['amount']['amount']} {spend['amount']['currency']}",
        file=sys.stderr,
    )
    return client.request("GET", f"/metrics?as_of={on.isoformat()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--project", required=True, help="The key of a project waiting at a gate.")
    parser.add_argument("--amount", default="1250.00")
    parser.add_argument("--on", type=datetime.date.fromisoformat, default=datetime.date.today())
    args = parser.parse_args(argv)
    token = os.environ.get("GREENLIGHT_TOKEN", "")
    if not token:
        parser.error("set GREENLIGHT_TOKEN to a read-write API token")
    try:
        metrics = round_trip(Client(args.url, token), args.project, amount=args.amount, on=args.on)
    except ApiError as error:
        print(error, file=sys.stderr)
        return 1
    json.dump(metrics, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
