#!/bin/sh
# Runs a Python program (a test) with Debian's interpreter, which sees Debian's Kafka client
# packages (python3-kafka, python3-confluent-kafka); another python3 earlier on
# PATH (pyenv, a virtualenv) would not.
exec /usr/bin/python3 "$@"
