#!/usr/bin/python3
"""What an attacker does to the broker with pika (e2e.attacks_netns).

usage: attacks_amqp.py HOST TLS_PORT USER PASSWORD VICTIM_QUEUE
USER is the join code's shared account, or the attacker's own account
(user:eve). Prints one line per attempt: "<attempt>: refused (<reply>)" or
"<attempt>: ALLOWED". Exit 0; the shell test asserts on the lines.
"""
import ssl
import sys

import pika

host, port, user, password, victim = sys.argv[1:6]


def connect(u, p):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # an attacker does not care whom it talks to
    params = pika.ConnectionParameters(
        host=host, port=int(port), virtual_host="/",
        credentials=pika.PlainCredentials(u, p),
        ssl_options=pika.SSLOptions(ctx), connection_attempts=1, socket_timeout=5)
    return pika.BlockingConnection(params)


def attempt(label, fn):
    try:
        conn = connect(user, password)
    except Exception as e:  # noqa: BLE001
        print(f"{label}: refused (login: {type(e).__name__} {e})")
        return
    try:
        ch = conn.channel()
        fn(ch)
        print(f"{label}: ALLOWED")
    except pika.exceptions.ChannelClosedByBroker as e:
        print(f"{label}: refused ({e.reply_code} {e.reply_text})")
    except Exception as e:  # noqa: BLE001
        print(f"{label}: refused ({type(e).__name__} {e})")
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass


def login_as(u, p, label):
    try:
        connect(u, p).close()
        print(f"{label}: ALLOWED")
    except Exception as e:  # noqa: BLE001
        print(f"{label}: refused ({type(e).__name__})")


login_as("guest", "guest", "login as guest/guest")
login_as(user, password + "x", "login with a wrong password")
login_as("chat-admin", password, "login as chat-admin with the member password")
attempt("delete exchange group_chat", lambda ch: ch.exchange_delete("group_chat"))
attempt("delete exchange chat-actors.groups",
        lambda ch: ch.exchange_delete("chat-actors.groups"))
attempt("delete exchange discovery_requests",
        lambda ch: ch.exchange_delete("discovery_requests"))
attempt("redeclare group_chat durable",
        lambda ch: ch.exchange_declare("group_chat", "topic", durable=True))
attempt("delete insults_queue", lambda ch: ch.queue_delete("insults_queue"))
attempt("unbind insults_queue",
        lambda ch: ch.queue_unbind("insults_queue", "chat-actors.insults", ""))


def snoop_all(ch):
    ch.queue_declare("eve:snoop", auto_delete=True)
    ch.queue_bind("eve:snoop", "chat-actors.groups", "#")


attempt("bind own queue to chat-actors.groups with #", snoop_all)


def snoop_public(ch):
    ch.queue_declare("eve:snoop2", auto_delete=True)
    ch.queue_bind("eve:snoop2", "group_chat", "#")


attempt("bind own queue to group_chat with #", snoop_public)


def join_one(ch):
    ch.queue_declare("eve:room", auto_delete=True)
    ch.queue_bind("eve:room", "chat-actors.groups", "*.room.*")


attempt("bind own queue to one group (*.room.*)", join_one)
attempt("publish to group_chat",
        lambda ch: (ch.confirm_delivery(),
                    ch.basic_publish("group_chat", "eve.room.msg", b"x")))
attempt("consume another user's queue " + victim,
        lambda ch: ch.basic_consume(victim, lambda *a: None))
attempt("purge another user's queue " + victim, lambda ch: ch.queue_purge(victim))
attempt("delete another user's queue " + victim, lambda ch: ch.queue_delete(victim))
victim_user, victim_group = victim.split(":")
attempt("publish under another user's routing key " + victim_user,
        lambda ch: (ch.confirm_delivery(),
                    ch.basic_publish("chat-actors.groups",
                                     f"{victim_user}.{victim_group}.msg", b"x")))
attempt("publish under its own routing key",
        lambda ch: (ch.confirm_delivery(),
                    ch.basic_publish("chat-actors.groups", f"eve.{victim_group}.msg",
                                     b"eve: hello")))
