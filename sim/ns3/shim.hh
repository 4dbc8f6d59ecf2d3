// SPDX-License-Identifier: BSD-3-Clause
// Internal to the ns-3 shim (shim.cc, lan.cc): the state of one run, the
// simulator singleton's nodes, links, LANs and sockets, shared by the C++
// files behind ns3.h. Not for C callers.
#ifndef NS3_SHIM_HH
#define NS3_SHIM_HH

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <ns3/core-module.h>
#include <ns3/network-module.h>
#include <ns3/internet-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/csma-module.h>
#include <ns3/traffic-control-module.h>

extern "C" {
#include "ns3/ns3.h"
#include "ns3/nat.h"
}

namespace rtcb {

using namespace ns3;

class NatRouting;

struct Link {
	int a, b;
	Ipv4Address addr[2];
	Ptr<NetDevice> dev[2];
	uint64_t jitter_us;
};

// A shared LAN segment (CsmaHelper): one device per member node.
struct Lan {
	std::vector<Ipv4Address> addr;
	NetDeviceContainer devs;
};

struct Sock {
	Ptr<Socket> s;
	int node;
	ns3_recv_fn *fn;
	void *arg;
};

struct Tcp {
	Ptr<Socket> s;
	ns3_stream_fn *fn;
	void *arg;
	std::string q;		// bytes not yet taken by the socket
	bool up = false;	// connected (accepted sockets are at once)
	bool closing = false;
	bool closed = false;
	int listener = -1;	// for a listening socket: itself
	ns3_accept_fn *acc = nullptr;
};

struct State {
	NodeContainer nodes;
	std::vector<Link> links;
	std::vector<int> access;	// node -> first link or -1
	std::vector<Lan> lans;
	// node -> address and jitter of its first link or LAN (its access)
	std::vector<Ipv4Address> first_addr;
	std::vector<uint64_t> first_jit;
	std::vector<bool> attached;
	CsmaHelper csma;
	std::string pcap;	// capture prefix for devices added later
	std::vector<Sock> socks;
	std::vector<Tcp> tcp;	// TCP connections and listeners
	std::map<uint64_t, EventId> events;
	uint64_t next_ev = 1;
	PointToPointHelper p2p;
	InternetStackHelper stack;
	Ptr<UniformRandomVariable> jitter_rv;
	std::map<int, Ptr<NatRouting>> nats;
	int64_t stream = 1000;
	bool running = false;
	bool routed = false;
	bool ran = false;	// Simulator::Run was called once
	struct ::ns3_stats st{};
};

extern State *g;

Ipv4Address to_ns3(const struct net_addr *a);
void from_ns3(Ipv4Address ip, uint16_t port, struct net_addr *out);
void attach(int node, Ipv4Address a, uint64_t jitter_us);

} // namespace rtcb

#endif
