"""moto in-process on the admit workload of the memory benchmark.

Creates a repository, puts N images with distinct manifests (an OCI manifest with a config and one
layer; moto derives the digest from the layer digests, so every layer digest is distinct), then times
one start_image_scan per image. Prints one JSON line with the calls per second.

Run: python3 bench/moto_start_image_scan.py [--images 10000]
"""

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from moto_manifests import manifest  # noqa: E402 (beside this script)
import moto  # noqa: E402
from moto import mock_aws  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args()
    n = args.images
    with mock_aws():
        client = boto3.client(
            "ecr",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_repository(repositoryName="bench/app")
        started = time.perf_counter()
        digests = []
        for i in range(n):
            response = client.put_image(repositoryName="bench/app", imageManifest=manifest(i), imageTag=f"release-{i}")
            digests.append(response["image"]["imageId"]["imageDigest"])
        put_seconds = time.perf_counter() - started
        if len(set(digests)) != n:
            sys.exit(f"moto gave {len(set(digests))} distinct digests for {n} images")
        # warm-up: a few calls on a second repository, not counted
        client.create_repository(repositoryName="bench/warmup")
        warm = client.put_image(repositoryName="bench/warmup", imageManifest=manifest(n + 1))
        client.start_image_scan(repositoryName="bench/warmup", imageId=warm["image"]["imageId"])
        calls = 0
        accepted = 0
        deadline = time.perf_counter() + args.max_seconds
        started = time.perf_counter()
        for digest in digests:
            response = client.start_image_scan(repositoryName="bench/app", imageId={"imageDigest": digest})
            calls += 1
            if response["imageScanStatus"]["status"] == "IN_PROGRESS":
                accepted += 1
            if time.perf_counter() > deadline:
                break
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "calls": calls,
                "accepted": accepted,
                "seconds": seconds,
                "calls_per_s": calls / seconds,
                "put_image_seconds": put_seconds,
                "images": n,
                "moto": moto.__version__,
                "boto3": boto3.__version__,
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
