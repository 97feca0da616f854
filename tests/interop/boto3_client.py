"""Runs a scenario of boto3 ECR calls against an endpoint and prints what happened, as JSON.

Usage: python3 boto3_client.py < scenario.json   (or: python3 boto3_client.py '<scenario json>')

The scenario is {"endpoint": "http://127.0.0.1:PORT", "steps": [step, ...]}. Every step runs, in
order, whatever the previous ones returned; the output is {"results": [result, ...]}, one per step.

Steps:
  {"call": "start_image_scan", "params": {...}}
      -> {"response": {...}, "http_status": 200}    (ResponseMetadata removed, datetimes as ISO strings)
      -> {"error": {"code", "message", "http_status", "exception_class", "modelled"}}
         (from ClientError.response; "modelled" says the exception raised is the client's own
         client.exceptions.<code> class)
      -> {"client_side": {"exception_class", "message"}}   (botocore refused before sending)
  {"control": {"method": "POST", "path": "/clock/advance", "body": {...}}}
      -> {"control": <the reply's JSON>}        (the emulator's endpoints under /_ecr-scan/)
  {"wait": "image_scan_complete", "params": {...}, "waiter_config": {...}}
      -> {"waited": {}}  or  {"waiter_error": {"message", "reason", "last_response"}}
  {"paginate": "describe_image_scan_findings", "params": {...}, "pagination": {...}}
      -> {"pages": [response, ...], "full": <PageIterator.build_full_result() of a second run>}

The client is boto3's, with endpoint_url, region us-east-1 and one attempt per call (a
ServerException is reported, not retried away). Credentials come from the environment.
"""

import datetime
import json
import sys
import urllib.request

import boto3
import botocore.config
import botocore.exceptions


def plain(value):
    """The response without ResponseMetadata, ready for json.dumps."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def client_error(client, error):
    response = error.response
    code = response.get("Error", {}).get("Code")
    modelled_class = getattr(client.exceptions, code, None) if code else None
    return {
        "error": {
            "code": code,
            "message": response.get("Error", {}).get("Message"),
            "http_status": response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
            "exception_class": type(error).__name__,
            "modelled": modelled_class is not None and isinstance(error, modelled_class),
        }
    }


def control(endpoint, spec):
    body = spec.get("body")
    request = urllib.request.Request(
        endpoint + "/_ecr-scan" + spec["path"],
        method=spec.get("method", "POST"),
        data=None if body is None else json.dumps(body).encode("utf-8"),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return {"control": json.loads(reply.read().decode("utf-8"))}


def call(client, step):
    try:
        response = getattr(client, step["call"])(**step.get("params", {}))
        return {
            "response": plain(response),
            "http_status": response["ResponseMetadata"]["HTTPStatusCode"],
        }
    except botocore.exceptions.ClientError as error:
        return client_error(client, error)
    except (botocore.exceptions.ParamValidationError, botocore.exceptions.ValidationError) as error:
        return {"client_side": {"exception_class": type(error).__name__, "message": str(error)}}


def wait(client, step):
    waiter = client.get_waiter(step["wait"])
    try:
        arguments = dict(step.get("params", {}))
        if "waiter_config" in step:
            arguments["WaiterConfig"] = step["waiter_config"]
        waiter.wait(**arguments)
        return {"waited": {}}
    except botocore.exceptions.WaiterError as error:
        return {
            "waiter_error": {
                "message": str(error),
                "reason": error.kwargs.get("reason"),
                "last_response": plain(error.last_response),
            }
        }


def paginate(client, step):
    paginator = client.get_paginator(step["paginate"])
    arguments = dict(step.get("params", {}))
    if "pagination" in step:
        arguments["PaginationConfig"] = step["pagination"]
    try:
        pages = [plain(page) for page in paginator.paginate(**arguments)]
        full = plain(paginator.paginate(**arguments).build_full_result())
        return {"pages": pages, "full": full}
    except botocore.exceptions.ClientError as error:
        return client_error(client, error)


def main():
    scenario = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    endpoint = scenario["endpoint"]
    client = boto3.client(
        "ecr",
        region_name="us-east-1",
        endpoint_url=endpoint,
        # One attempt in all. Careful: in a client Config, retries["max_attempts"] counts *retries*
        # (max_attempts 1 makes two attempts, and a ServerException is retried away);
        # total_max_attempts counts the first attempt too, as AWS_MAX_ATTEMPTS does.
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    results = []
    for step in scenario["steps"]:
        if "call" in step:
            results.append(call(client, step))
        elif "control" in step:
            results.append(control(endpoint, step["control"]))
        elif "wait" in step:
            results.append(wait(client, step))
        elif "paginate" in step:
            results.append(paginate(client, step))
        else:
            raise ValueError("unknown step: %r" % (step,))
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
