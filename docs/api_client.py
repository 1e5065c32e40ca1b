"""A small client of the back-office API (issue 15): an institution's online-training platform sends a day's
learning records for its project and reads the computed outcomes; a county's roster system sends applicants.

    # the platform, every night (key with learning_records:write and outcomes:read)
    python docs/api_client.py --base http://127.0.0.1:8000 --key gp_… --project 12 --records day.json
    # the county's roster system (key with rosters:write)
    python docs/api_client.py --base http://127.0.0.1:8000 --key gp_… --project 12 --roster roster.json

Keys come from the API keys page (API密钥) and are sent as `Authorization: Api-Key …`; the demo has ready ones
(`manage.py demo` prints them). Errors are RFC 9457 problem details with a `code` and a Chinese `detail`; a refused
batch lists every refused row in `errors` and writes nothing (unless `valid_only`), so fix the rows and send the
whole batch again. The Idempotency-Key makes a retry after a network failure safe: the server answers from the
first delivery and writes nothing twice.
"""
import argparse
import datetime as dt
import hashlib
import json
import sys
import time

import httpx


def _post(client: httpx.Client, url: str, body: dict, key: str) -> dict:
    for attempt in range(3):
        try:
            response = client.post(url, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError:
            if attempt == 2:
                raise
            continue  # same key: a delivery that did arrive is not written twice
        if response.status_code == 429:  # throttled per key: wait as told
            time.sleep(int(response.headers.get("Retry-After", "5")))
            continue
        body = response.json()
        if response.status_code != 200:
            print(f"refused ({body['code']}): {body['detail']}", file=sys.stderr)
        for error in body.get("errors", []):
            print(f"  row {error.get('row')}: {error.get('column')} {error.get('value')} — {error.get('message')}",
                  file=sys.stderr)
        return body
    raise RuntimeError("throttled three times")


def _key(kind: str, project: int, rows: list) -> str:
    return f"{kind}-{project}-{hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:32]}"


def send_learning_records(client: httpx.Client, project: int, rows: list[dict], source: str) -> dict:
    """A day's records: id_number, period_start, period_end, minutes, assignments_submitted/passed,
    achievements, activities, assessment_score (R47)."""
    return _post(client, f"/api/v1/projects/{project}/learning-records/", {"source": source, "rows": rows},
                 _key("records", project, rows))


def send_roster(client: httpx.Client, project: int, rows: list[dict]) -> dict:
    return _post(client, f"/api/v1/projects/{project}/applicants/", {"rows": rows}, _key("roster", project, rows))


def pages(client: httpx.Client, url: str, params: dict):
    """Every row of a list, following the cursor."""
    while url:
        page = client.get(url, params=params).raise_for_status().json()
        yield from page["results"]
        url, params = page["next"], None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True)
    parser.add_argument("--project", type=int, required=True)
    parser.add_argument("--records", help="JSON file: a list of learning-record rows")
    parser.add_argument("--source", default="研修平台")
    parser.add_argument("--roster", help="JSON file: a list of applicant rows (the Excel template's columns)")
    parser.add_argument("--since", help="only outcomes changed since (ISO 8601), e.g. yesterday's run")
    args = parser.parse_args()
    with httpx.Client(base_url=args.base, headers={"Authorization": f"Api-Key {args.key}"}, timeout=120) as client:
        if args.records:
            with open(args.records, encoding="utf-8") as f:
                print(send_learning_records(client, args.project, json.load(f), args.source))
            params = {"page_size": 500, **({"updated_since": args.since} if args.since else {})}
            for o in pages(client, f"/api/v1/projects/{args.project}/outcomes/", params):
                print(o["teacher_name"], o["id_number"], o["minutes"], o["score"], o["final"], o["status_label"])
        if args.roster:
            with open(args.roster, encoding="utf-8") as f:
                print(send_roster(client, args.project, json.load(f)))
        print(f"checked at {dt.datetime.now().isoformat(timespec='seconds')}")


if __name__ == "__main__":
    main()
