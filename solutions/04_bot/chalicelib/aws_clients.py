"""The bot's AWS clients: one boto3 session, one client per service, kept for the life of a Lambda container."""
import functools

import boto3

SESSION = boto3.session.Session()


@functools.cache
def client(service):
    return SESSION.client(service)
