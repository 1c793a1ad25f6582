"""The floor an HTTP function stands on: FastAPI, Mangum, Powertools and one boto3 client."""

import boto3
from aws_lambda_powertools import Logger, Metrics
from fastapi import FastAPI
from mangum import Mangum

logger = Logger()
metrics = Metrics(namespace="Bench")
client = boto3.client("dynamodb")
app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ok": "yes"}


handler = Mangum(app, lifespan="off")
