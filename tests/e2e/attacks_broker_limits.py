#!/usr/bin/python3
"""What a member does to the broker's resources with pika (e2e.attacks_netns).

usage: attacks_broker_limits.py HOST TLS_PORT USER PASSWORD ROUTING_KEY TRIES
Prints one line per measurement, for the shell test to assert on:
  "publish <bytes>: accepted" or "publish <bytes>: refused (<reply>)"
  "connections held: <n> of <TRIES>"
"""
import ssl
import sys

import pika

host, port, user, password, routing_key, tries = sys.argv[1:7]


def connect():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    params = pika.ConnectionParameters(
        host=host, port=int(port), virtual_host="/",
        credentials=pika.PlainCredentials(user, password),
        ssl_options=pika.SSLOptions(ctx), connection_attempts=1, socket_timeout=5,
        blocked_connection_timeout=5)
    return pika.BlockingConnection(params)


def publish(size):
    conn = connect()
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        ch.basic_publish("chat-actors.groups", routing_key, b"x" * size)
        print(f"publish {size}: accepted")
    except Exception as e:  # noqa: BLE001
        print(f"publish {size}: refused ({type(e).__name__} {e})")
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass


for size in (4096, 1 << 20):
    publish(size)

held = []
for _ in range(int(tries)):
    try:
        conn = connect()
        conn.channel()  # the broker checks the limit at the connection's open
        held.append(conn)
    except Exception:  # noqa: BLE001
        pass
print(f"connections held: {len(held)} of {tries}")
for conn in held:
    try:
        conn.close()
    except Exception:  # noqa: BLE001
        pass
