// SPDX-License-Identifier: BSD-3-Clause
// ns-3 behind the C API of ns3.h (with lan.cc, sharing shim.hh). It owns the
// simulator singleton, the nodes, links and sockets (UDP and TCP) of one
// run; C callers see indexes and plain structs only.
#include <cerrno>
#include <cstring>
#include <arpa/inet.h>

#include "ns3/shim.hh"

namespace rtcb {

using namespace ns3;

// A NAT node: wraps the node's own routing so that UDP datagrams crossing
// it are rewritten before ns-3's local-delivery check (Ipv4ListRouting
// delivers packets for the node's own address before asking any protocol,
// which would swallow inbound traffic to the public address). The
// mapping/filtering decisions are the C model in nat.c.
class NatRouting : public Ipv4RoutingProtocol {
public:
	NatRouting(Ptr<Ipv4RoutingProtocol> inner, uint32_t outside_if,
		   enum nat_type type, uint64_t timeout_us)
		: m_inner(inner), m_out_if(outside_if)
	{
		m_type = type;
		m_timeout = timeout_us;
	}
	~NatRouting() override { nat_fini(&m_nat); }

	void Start(Ptr<Ipv4> ip)
	{
		m_ipv4 = ip;
		Ipv4Address pub = ip->GetAddress(m_out_if, 0).GetLocal();
		nat_init(&m_nat, m_type, pub.Get(), m_timeout);
	}

	struct nat m_nat{};
	uint64_t m_private_drop = 0;

	Ptr<Ipv4Route> RouteOutput(Ptr<Packet> p, const Ipv4Header &h,
				   Ptr<NetDevice> oif,
				   Socket::SocketErrno &err) override
	{
		return m_inner->RouteOutput(p, h, oif, err);
	}

	bool RouteInput(Ptr<const Packet> p, const Ipv4Header &h,
			Ptr<const NetDevice> idev, UnicastForwardCallback ucb,
			MulticastForwardCallback mcb, LocalDeliverCallback lcb,
			ErrorCallback ecb) override
	{
		if (h.GetProtocol() != 17 || h.GetDestination().IsBroadcast() ||
		    h.GetDestination().IsMulticast())
			return m_inner->RouteInput(p, h, idev, ucb, mcb, lcb,
						   ecb);
		uint32_t iif = m_ipv4->GetInterfaceForDevice(idev);
		Ipv4Address pub(m_nat.pub_ip);
		uint64_t now = (uint64_t)Simulator::Now().GetMicroSeconds();
		Ptr<Packet> q = p->Copy();
		UdpHeader uh;
		Ipv4Header nh = h;
		if (iif == m_out_if) {
			if (h.GetDestination() != pub) {
				// Private space is not reachable from outside.
				m_private_drop++;
				return true;
			}
			q->RemoveHeader(uh);
			uint32_t in_ip;
			uint16_t in_port;
			if (nat_in(&m_nat, now, uh.GetDestinationPort(),
				   h.GetSource().Get(), uh.GetSourcePort(),
				   &in_ip, &in_port))
				return true;	// filtered or unmapped: dropped
			uh.SetDestinationPort(in_port);
			q->AddHeader(uh);
			nh.SetDestination(Ipv4Address(in_ip));
		} else {
			if (m_ipv4->IsDestinationAddress(h.GetDestination(),
							 iif))
				return m_inner->RouteInput(p, h, idev, ucb, mcb,
							   lcb, ecb);
			q->RemoveHeader(uh);
			uint16_t pub_port;
			if (nat_out(&m_nat, now, h.GetSource().Get(),
				    uh.GetSourcePort(),
				    h.GetDestination().Get(),
				    uh.GetDestinationPort(), &pub_port))
				return true;
			uh.SetSourcePort(pub_port);
			q->AddHeader(uh);
			nh.SetSource(pub);
		}
		Socket::SocketErrno err;
		Ptr<Ipv4Route> rt = m_inner->RouteOutput(q, nh, nullptr, err);
		if (!rt)
			return true;
		ucb(rt, q, nh);
		return true;
	}

	void NotifyInterfaceUp(uint32_t i) override
	{
		m_inner->NotifyInterfaceUp(i);
	}
	void NotifyInterfaceDown(uint32_t i) override
	{
		m_inner->NotifyInterfaceDown(i);
	}
	void NotifyAddAddress(uint32_t i, Ipv4InterfaceAddress a) override
	{
		m_inner->NotifyAddAddress(i, a);
	}
	void NotifyRemoveAddress(uint32_t i, Ipv4InterfaceAddress a) override
	{
		m_inner->NotifyRemoveAddress(i, a);
	}
	// The inner protocol already has its Ipv4; only remember ours.
	void SetIpv4(Ptr<Ipv4> ip) override { m_ipv4 = ip; }
	void PrintRoutingTable(Ptr<OutputStreamWrapper> s,
			       Time::Unit u) const override
	{
		m_inner->PrintRoutingTable(s, u);
	}

private:
	Ptr<Ipv4RoutingProtocol> m_inner;
	Ptr<Ipv4> m_ipv4;
	uint32_t m_out_if;
	enum nat_type m_type;
	uint64_t m_timeout;
};

State *g;

Ipv4Address to_ns3(const struct net_addr *a)
{
	return Ipv4Address(ntohl(a->u.in.sin_addr.s_addr));
}

void from_ns3(Ipv4Address ip, uint16_t port, struct net_addr *out)
{
	std::memset(out, 0, sizeof(*out));
	out->tp = NET_UDP;
	out->u.in.sin_family = AF_INET;
	out->u.in.sin_addr.s_addr = htonl(ip.Get());
	out->u.in.sin_port = htons(port);
}

static void on_recv(int id, Ptr<Socket> s)
{
	Ptr<Packet> p;
	Address from;
	static uint8_t buf[65536];

	while ((p = s->RecvFrom(from))) {
		InetSocketAddress ia = InetSocketAddress::ConvertFrom(from);
		struct net_addr fa;
		uint32_t n = p->GetSize();
		if (n > sizeof(buf))
			continue;
		p->CopyData(buf, n);
		from_ns3(ia.GetIpv4(), ia.GetPort(), &fa);
		g->st.delivered++;
		g->socks[id].fn(g->socks[id].arg, id, &fa, buf, n);
	}
}

static void do_send(int sock, Ptr<Packet> p, Ipv4Address dst, uint16_t port)
{
	g->socks[sock].s->SendTo(p, 0, InetSocketAddress(dst, port));
}

// Remember a node's first attachment: its address and access jitter.
void attach(int node, Ipv4Address a, uint64_t jitter_us)
{
	if (g->attached[node])
		return;
	g->attached[node] = true;
	g->first_addr[node] = a;
	g->first_jit[node] = jitter_us;
}

static void run_event(uint64_t id, ns3_event_fn *fn, void *arg)
{
	g->events.erase(id);
	g->st.events++;
	fn(arg);
}

} // namespace rtcb

using namespace rtcb;

extern "C" int ns3_init(uint64_t seed)
{
	ns3_fini();
	g = new State();
	// Pin everything random to the seed: ns-3 keeps a stream counter
	// across Simulator::Destroy (NS3-NOTES.md).
	RngSeedManager::SetSeed(1 + (uint32_t)(seed % 0x7ffffffe));
	RngSeedManager::SetRun(1 + (seed >> 31));
	g->jitter_rv = CreateObject<UniformRandomVariable>();
	g->jitter_rv->SetStream(1);
	return 0;
}

extern "C" void ns3_fini(void)
{
	if (!g)
		return;
	Simulator::Destroy();
	delete g;
	g = nullptr;
	// Forget the global routing state of the previous run.
	ns3::Names::Clear();
}

extern "C" int ns3_node_add(void)
{
	if (!g)
		return -EINVAL;
	Ptr<Node> n = CreateObject<Node>();
	g->stack.Install(n);
	g->nodes.Add(n);
	g->access.push_back(-1);
	g->first_addr.push_back(Ipv4Address());
	g->first_jit.push_back(0);
	g->attached.push_back(false);
	return (int)g->nodes.GetN() - 1;
}

extern "C" int ns3_link_add(int a, int b, const struct ns3_link_opt *o)
{
	if (!g || a < 0 || b < 0 || a == b || (uint32_t)a >= g->nodes.GetN() ||
	    (uint32_t)b >= g->nodes.GetN() || !o)
		return -EINVAL;
	if (o->loss < 0 || o->loss > 1 || o->delay_us > 60000000ull ||
	    o->jitter_us > 10000000ull)
		return -EINVAL;
	uint64_t rate = o->rate_bps ? o->rate_bps : 1000000000ull;
	g->p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(rate)));
	g->p2p.SetChannelAttribute("Delay", TimeValue(MicroSeconds(o->delay_us)));
	if (o->queue_pkts)
		g->p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
				QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS,
							 o->queue_pkts)));
	else
		g->p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
				QueueSizeValue(QueueSize("100p")));
	NetDeviceContainer devs = g->p2p.Install(g->nodes.Get(a),
						 g->nodes.Get(b));
	if (o->loss > 0) {
		for (int side = 0; side < 2; side++) {
			Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
			em->SetAttribute("ErrorRate", DoubleValue(o->loss));
			em->SetAttribute("ErrorUnit",
					 StringValue("ERROR_UNIT_PACKET"));
			em->AssignStreams(g->stream++);
			devs.Get(side)->SetAttribute("ReceiveErrorModel",
						     PointerValue(em));
		}
	}
	size_t k = g->links.size();
	uint32_t net = (10u << 24) + (uint32_t)(k << 2);
	Ipv4AddressHelper ah;
	ah.SetBase(Ipv4Address(net), Ipv4Mask("255.255.255.252"));
	Ipv4InterfaceContainer ifs = ah.Assign(devs);
	// A link added after the simulation started: its nodes were
	// initialised already, so neither the traffic control layer nor the
	// default queue disc Assign() installed would be set up, and the
	// first packet through would crash. Use the device queue alone and
	// make the devices known to the layer.
	if (g->ran) {
		TrafficControlHelper tch;
		tch.Uninstall(devs);
		for (int n : { a, b }) {
			Ptr<TrafficControlLayer> tc =
				g->nodes.Get(n)->GetObject<TrafficControlLayer>();
			if (tc)
				tc->ScanDevices();
		}
	}
	if (!g->pcap.empty())
		g->p2p.EnablePcap(g->pcap, devs, false);
	Link l;
	l.a = a;
	l.b = b;
	l.addr[0] = ifs.GetAddress(0);
	l.addr[1] = ifs.GetAddress(1);
	l.dev[0] = devs.Get(0);
	l.dev[1] = devs.Get(1);
	l.jitter_us = o->jitter_us;
	g->links.push_back(l);
	if (g->access[a] < 0)
		g->access[a] = (int)k;
	if (g->access[b] < 0)
		g->access[b] = (int)k;
	attach(a, l.addr[0], o->jitter_us);
	attach(b, l.addr[1], o->jitter_us);
	return (int)k;
}

extern "C" int ns3_link_addr(int link, int side, struct net_addr *out)
{
	if (!g || link < 0 || (size_t)link >= g->links.size() || side < 0 ||
	    side > 1)
		return EINVAL;
	from_ns3(g->links[link].addr[side], 0, out);
	return 0;
}

extern "C" int ns3_node_addr(int node, struct net_addr *out)
{
	if (!g || node < 0 || (size_t)node >= g->attached.size() ||
	    !g->attached[node])
		return EINVAL;
	from_ns3(g->first_addr[node], 0, out);
	return 0;
}

extern "C" int ns3_routes_build(void)
{
	if (!g)
		return EINVAL;
	// Populate once, then recompute: nodes may join a running simulation.
	if (g->routed)
		Ipv4GlobalRoutingHelper::RecomputeRoutingTables();
	else
		Ipv4GlobalRoutingHelper::PopulateRoutingTables();
	g->routed = true;
	return 0;
}

extern "C" int ns3_pcap_enable(const char *prefix)
{
	if (!g || !prefix)
		return EINVAL;
	g->p2p.EnablePcapAll(prefix, false);
	g->csma.EnablePcapAll(prefix, false);
	g->pcap = prefix;
	return 0;
}

extern "C" int ns3_udp_open(int node, uint16_t port, ns3_recv_fn *fn,
			    void *arg)
{
	if (!g || node < 0 || (uint32_t)node >= g->nodes.GetN() || !fn)
		return -EINVAL;
	Ptr<Socket> s = Socket::CreateSocket(g->nodes.Get(node),
					     UdpSocketFactory::GetTypeId());
	if (s->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)) != 0)
		return -EADDRINUSE;
	s->SetRecvCallback(MakeBoundCallback(&on_recv, (int)g->socks.size()));
	Sock k;
	k.s = s;
	k.node = node;
	k.fn = fn;
	k.arg = arg;
	g->socks.push_back(k);
	return (int)g->socks.size() - 1;
}

extern "C" int ns3_udp_local(int sock, struct net_addr *out)
{
	Address a;

	if (!g || sock < 0 || (size_t)sock >= g->socks.size())
		return EINVAL;
	if (ns3_node_addr(g->socks[sock].node, out))
		return EINVAL;
	g->socks[sock].s->GetSockName(a);
	net_addr_set_port(out, InetSocketAddress::ConvertFrom(a).GetPort());
	return 0;
}

extern "C" int ns3_udp_send(int sock, const struct net_addr *dst,
			    const uint8_t *data, size_t len)
{
	if (!g || sock < 0 || (size_t)sock >= g->socks.size() || !dst ||
	    net_addr_family(dst) != AF_INET || len > 65507)
		return EINVAL;
	Ptr<Packet> p = Create<Packet>(data, (uint32_t)len);
	uint64_t jit = g->first_jit[g->socks[sock].node];
	uint64_t extra = jit ? (uint64_t)g->jitter_rv->GetInteger(0, (uint32_t)jit)
			     : 0;
	g->st.sent++;
	// Sending before the first Simulator::Run crashes in the traffic
	// control layer (NS3-NOTES.md): always go through the scheduler.
	Simulator::Schedule(MicroSeconds(extra), &do_send, sock, p,
			    to_ns3(dst), net_addr_port(dst));
	return 0;
}

extern "C" uint64_t ns3_schedule(uint64_t at_us, ns3_event_fn *fn, void *arg)
{
	if (!g || !fn)
		return 0;
	uint64_t now = ns3_now_us();
	uint64_t id = g->next_ev++;
	EventId e = Simulator::Schedule(MicroSeconds(at_us > now ? at_us - now
								: 0),
					&run_event, id, fn, arg);
	g->events[id] = e;
	return id;
}

extern "C" void ns3_cancel(uint64_t ev)
{
	if (!g)
		return;
	auto it = g->events.find(ev);
	if (it == g->events.end())
		return;
	Simulator::Cancel(it->second);
	g->events.erase(it);
}

extern "C" uint64_t ns3_now_us(void)
{
	return (uint64_t)Simulator::Now().GetMicroSeconds();
}

extern "C" int ns3_run(uint64_t end_us)
{
	if (!g)
		return EINVAL;
	Simulator::Stop(MicroSeconds(end_us > ns3_now_us() ? end_us - ns3_now_us()
							   : 0));
	g->running = true;
	g->ran = true;
	Simulator::Run();
	g->running = false;
	return 0;
}

extern "C" void ns3_stats(struct ns3_stats *out)
{
	if (g)
		*out = g->st;
	else
		std::memset(out, 0, sizeof(*out));
}

extern "C" int ns3_nat_add(int node, int outside_link, const char *type,
			   uint64_t timeout_us)
{
	enum nat_type t;

	if (!g || node < 0 || (uint32_t)node >= g->nodes.GetN() ||
	    outside_link < 0 || (size_t)outside_link >= g->links.size() ||
	    !type || nat_type_parse(type, &t) || g->nats.count(node))
		return EINVAL;
	const Link &l = g->links[outside_link];
	if (l.a != node && l.b != node)
		return EINVAL;
	Ptr<NetDevice> dev = l.dev[l.a == node ? 0 : 1];
	Ptr<Ipv4> ip = g->nodes.Get(node)->GetObject<Ipv4>();
	int32_t oif = ip->GetInterfaceForDevice(dev);
	if (oif < 0)
		return EINVAL;
	Ptr<NatRouting> nr = Create<NatRouting>(ip->GetRoutingProtocol(),
						(uint32_t)oif, t, timeout_us);
	ip->SetRoutingProtocol(nr);
	nr->Start(ip);
	g->nats[node] = nr;
	return 0;
}

extern "C" int ns3_nat_stats(int node, struct ns3_nat_stats *out)
{
	if (!g || !g->nats.count(node))
		return ENOENT;
	const struct nat &n = g->nats[node]->m_nat;
	out->out_pkts = n.out_pkts;
	out->in_pkts = n.in_pkts;
	out->filtered = n.filtered;
	out->unmapped = n.unmapped;
	out->private_drop = g->nats[node]->m_private_drop;
	return 0;
}

// ---- TCP ---------------------------------------------------------------
// A connection is an index into g->tcp, for both ends (the dialled socket
// and the one a listener accepted). Bytes queue per connection until the
// socket takes them (connect pending, send buffer full); a close waits for
// the queue to drain.

namespace rtcb {

static std::vector<Tcp> &tcps()
{
	return g->tcp;
}

static void tcp_flush(int id)
{
	Tcp &t = tcps()[id];

	while (t.up && !t.q.empty()) {
		uint32_t n = t.s->GetTxAvailable();
		if (!n)
			return;	// the send callback calls us again
		if (n > t.q.size())
			n = (uint32_t)t.q.size();
		int sent = t.s->Send((const uint8_t *)t.q.data(), n, 0);
		if (sent <= 0)
			return;
		t.q.erase(0, (size_t)sent);
	}
	if (t.up && t.q.empty() && t.closing && !t.closed) {
		t.closed = true;
		t.s->Close();
	}
}

static void tcp_gone(int id)
{
	Tcp &t = tcps()[id];

	t.closed = true;
	t.up = false;
	if (t.fn) {
		ns3_stream_fn *fn = t.fn;
		t.fn = nullptr;
		fn(t.arg, id, nullptr, 0);
	}
}

static void tcp_closed(int id, Ptr<Socket>)
{
	tcp_gone(id);
}

static void tcp_recv(int id, Ptr<Socket> s)
{
	static uint8_t buf[65536];
	Ptr<Packet> p;

	while ((p = s->Recv())) {
		uint32_t n = p->GetSize();
		while (n) {
			uint32_t k = n > sizeof(buf) ? sizeof(buf) : n;
			p->CopyData(buf, k);
			p->RemoveAtStart(k);
			n -= k;
			if (tcps()[id].fn)
				tcps()[id].fn(tcps()[id].arg, id, buf, k);
		}
	}
}

static void tcp_sendable(int id, Ptr<Socket>, uint32_t)
{
	tcp_flush(id);
}

static void tcp_hooks(int id)
{
	Ptr<Socket> s = tcps()[id].s;

	s->SetRecvCallback(MakeBoundCallback(&tcp_recv, id));
	s->SetSendCallback(MakeBoundCallback(&tcp_sendable, id));
	s->SetCloseCallbacks(MakeBoundCallback(&tcp_closed, id),
			     MakeBoundCallback(&tcp_closed, id));
}

static void tcp_connected(int id, Ptr<Socket>)
{
	tcps()[id].up = true;
	tcp_flush(id);
}

static void tcp_failed(int id, Ptr<Socket>)
{
	tcp_gone(id);
}

static bool tcp_request(Ptr<Socket>, const Address &)
{
	return true;
}

static void tcp_accepted(int lid, Ptr<Socket> s, const Address &from)
{
	Tcp t;
	InetSocketAddress ia = InetSocketAddress::ConvertFrom(from);
	struct net_addr fa;
	int id = (int)tcps().size();

	t.s = s;
	t.fn = tcps()[lid].fn;
	t.arg = tcps()[lid].arg;
	t.up = true;
	tcps().push_back(t);
	tcp_hooks(id);
	from_ns3(ia.GetIpv4(), ia.GetPort(), &fa);
	fa.tp = NET_TCP;
	tcps()[lid].acc(tcps()[lid].arg, lid, id, &fa);
}

static void tcp_do_connect(int id, Ipv4Address dst, uint16_t port)
{
	tcps()[id].s->Connect(InetSocketAddress(dst, port));
}

static Ptr<Socket> tcp_socket(int node)
{
	Ptr<Socket> s = Socket::CreateSocket(g->nodes.Get(node),
					     TcpSocketFactory::GetTypeId());
	// 1448-byte segments as on Ethernet (ns-3's default is 536)
	s->SetAttribute("SegmentSize", UintegerValue(1448));
	return s;
}

} // namespace rtcb

extern "C" int ns3_tcp_listen(int node, uint16_t port, ns3_accept_fn *acc,
			      ns3_stream_fn *fn, void *arg)
{
	if (!g || node < 0 || (uint32_t)node >= g->nodes.GetN() || !acc ||
	    !fn)
		return -EINVAL;
	Ptr<Socket> s = tcp_socket(node);
	if (s->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)) != 0)
		return -EADDRINUSE;
	s->Listen();
	int id = (int)tcps().size();
	Tcp t;
	t.s = s;
	t.fn = fn;
	t.arg = arg;
	t.acc = acc;
	t.listener = id;
	tcps().push_back(t);
	s->SetAcceptCallback(MakeCallback(&tcp_request),
			     MakeBoundCallback(&tcp_accepted, id));
	return id;
}

extern "C" int ns3_tcp_connect(int node, const struct net_addr *dst,
			       ns3_stream_fn *fn, void *arg)
{
	if (!g || node < 0 || (uint32_t)node >= g->nodes.GetN() || !dst ||
	    !fn || net_addr_family(dst) != AF_INET)
		return -EINVAL;
	Ptr<Socket> s = tcp_socket(node);
	if (s->Bind() != 0)
		return -EADDRINUSE;
	int id = (int)tcps().size();
	Tcp t;
	t.s = s;
	t.fn = fn;
	t.arg = arg;
	tcps().push_back(t);
	tcp_hooks(id);
	s->SetConnectCallback(MakeBoundCallback(&tcp_connected, id),
			      MakeBoundCallback(&tcp_failed, id));
	// like UDP sends: never touch the stack before Simulator::Run
	Simulator::ScheduleNow(&tcp_do_connect, id, to_ns3(dst),
			       net_addr_port(dst));
	return id;
}

extern "C" int ns3_tcp_local_port(int conn)
{
	Address a;

	if (!g || conn < 0 || (size_t)conn >= tcps().size())
		return -EINVAL;
	tcps()[conn].s->GetSockName(a);
	return InetSocketAddress::ConvertFrom(a).GetPort();
}

extern "C" int ns3_tcp_send(int conn, const uint8_t *data, size_t len)
{
	if (!g || conn < 0 || (size_t)conn >= tcps().size())
		return EINVAL;
	Tcp &t = tcps()[conn];
	if (t.closed || t.closing || t.listener >= 0)
		return ENOTCONN;
	t.q.append((const char *)data, len);
	g->st.sent++;
	Simulator::ScheduleNow(&tcp_flush, conn);
	return 0;
}

extern "C" int ns3_tcp_close(int conn)
{
	if (!g || conn < 0 || (size_t)conn >= tcps().size())
		return EINVAL;
	Tcp &t = tcps()[conn];
	t.fn = nullptr;	// no callback for our own close
	if (t.closed || t.closing)
		return 0;
	t.closing = true;
	Simulator::ScheduleNow(&tcp_flush, conn);
	return 0;
}
