"""Delivery: render a Digest for a destination and send it there.

`slack` renders Block Kit message parts (pure); `slack_client` sends them with a bot
token or an incoming webhook. Nothing here is imported eagerly, so the console path never
loads slack_sdk.
"""
