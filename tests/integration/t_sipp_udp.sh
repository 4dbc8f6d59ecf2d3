#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SIPp REGISTER with digest and calls through refd over UDP (sipp/calls.sh).
exec bash "$(dirname "$0")/sipp/calls.sh" udp
