"""A small client of the back-office API (issue 15): a county's teacher-roster system sends a day's applicants
for a project, then reads the credited hours of its teachers for the year and checks a certificate.

    python docs/api_client.py --base http://127.0.0.1:8000 --key gp_… --project 12 --roster roster.json

The key comes from the API keys page (API密钥), issued with the scopes `rosters:write` and `credits:read`; it is
sent as `Authorization: Api-Key …`. Errors come back as RFC 9457 problem details with a `code` and a Chinese
`detail`; a refused batch lists every refused row in `errors` and writes nothing, so fix the rows and send the
whole batch again. The Idempotency-Key makes a retry after a network failure safe.
"""
import argparse
import datetime as dt
import json
import sys
import uuid

import httpx


def send_roster(client: httpx.Client, project: int, rows: list[dict]) -> dict:
    """POST the batch once; a retry with the same Idempotency-Key is answered from the first call."""
    key = f"roster-{project}-{uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(rows, sort_keys=True))}"
    for attempt in range(3):
        try:
            response = client.post(f"/api/v1/projects/{project}/applicants/", json={"rows": rows},
                                   headers={"Idempotency-Key": key})
        except httpx.TransportError:
            if attempt == 2:
                raise
            continue
        if response.status_code == 429:  # throttled per key: wait as told
            import time

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


def credits_for_year(client: httpx.Client, year: int, since: str | None = None):
    """Every credited-hours row of the year (following the cursor); `since` syncs only what changed."""
    params = {"year": year, "page_size": 500}
    if since:
        params["updated_since"] = since
    url = "/api/v1/credits/"
    while url:
        page = client.get(url, params=params).raise_for_status().json()
        yield from page["results"]
        url, params = page["next"], None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True)
    parser.add_argument("--project", type=int, required=True)
    parser.add_argument("--roster", help="JSON file: a list of rows (name, id_number, school_code, region_code, "
                                         "stage, subject, started_on, is_rural…)")
    parser.add_argument("--year", type=int, default=dt.date.today().year)
    args = parser.parse_args()
    with httpx.Client(base_url=args.base, headers={"Authorization": f"Api-Key {args.key}"}, timeout=120) as client:
        if args.roster:
            with open(args.roster, encoding="utf-8") as f:
                print(send_roster(client, args.project, json.load(f)))
        total = 0
        for row in credits_for_year(client, args.year):
            total += row["hours"]
            print(row["teacher_name"], row["id_number"], row["project_name"], row["hours"], row["status_label"])
        print(f"{args.year}: {total} hours credited")
        # Public, no key needed: a certificate's check and the open-contracting record of a tender.
        print(httpx.get(f"{args.base}/api/v1/tenders/", timeout=30).json()["results"][:1])


if __name__ == "__main__":
    main()
