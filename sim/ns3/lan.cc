// SPDX-License-Identifier: BSD-3-Clause
// Shared LAN segments for the ns-3 shim: ns-3's CSMA channel (Ethernet)
// joining several nodes, with the same options as a point-to-point link,
// addressed from their own /24 pool and routed by the global routing
// like the links.
#include <cerrno>

#include <ns3/neighbor-cache-helper.h>

#include "ns3/shim.hh"

using namespace rtcb;

// Receive loss, pinned random streams, pcap and the late-start fix for
// the devices just added to a LAN (see ns3_link_add for the last one).
static void lan_devs_setup(Lan &lan, NetDeviceContainer devs,
			   NodeContainer nc, const std::vector<int> &idx)
{
	for (uint32_t i = 0; lan.loss > 0 && i < devs.GetN(); i++) {
		Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
		em->SetAttribute("ErrorRate", DoubleValue(lan.loss));
		em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
		em->AssignStreams(g->stream++);
		devs.Get(i)->SetAttribute("ReceiveErrorModel",
					  PointerValue(em));
	}
	// ARP (request jitter) and CSMA backoff draw random numbers too; ns-3
	// would give them streams from a process-wide counter, so pin them
	// or the same seed would not give the same run.
	g->stream += g->csma.AssignStreams(devs, g->stream);
	g->stream += g->stack.AssignStreams(nc, g->stream);
	Ipv4InterfaceContainer ifs = lan.ah.Assign(devs);
	if (g->ran) {
		TrafficControlHelper tch;
		tch.Uninstall(devs);
		for (uint32_t i = 0; i < nc.GetN(); i++) {
			Ptr<TrafficControlLayer> tc = nc.Get(i)->
				GetObject<TrafficControlLayer>();
			if (tc)
				tc->ScanDevices();
		}
	}
	for (uint32_t i = 0; i < devs.GetN(); i++) {
		lan.addr.push_back(ifs.GetAddress(i));
		lan.devs.Add(devs.Get(i));
		attach(idx[i], ifs.GetAddress(i),
		       lan.jitter_us);
	}
	// Fill the members' ARP caches now: a lost ARP request or reply
	// would stall a flow for ns-3's 1 s retry and drop all but three
	// queued datagrams, so loss would hit far more than its share.
	NeighborCacheHelper nch;
	nch.PopulateNeighborCache(lan.chan);
	if (!g->pcap.empty())
		g->csma.EnablePcap(g->pcap, devs, false);
}

extern "C" int ns3_lan_add(const int *nodes, size_t n,
			   const struct ns3_link_opt *o)
{
	if (!g || !nodes || n < 2 || n > 254 || !o || o->loss < 0 ||
	    o->loss > 1 || o->delay_us > 60000000ull ||
	    o->jitter_us > 10000000ull || g->lans.size() >= 32768)
		return -EINVAL;
	NodeContainer nc;
	for (size_t i = 0; i < n; i++) {
		if (nodes[i] < 0 || (uint32_t)nodes[i] >= g->nodes.GetN())
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (nodes[j] == nodes[i])
				return -EINVAL;
		nc.Add(g->nodes.Get(nodes[i]));
	}
	uint64_t rate = o->rate_bps ? o->rate_bps : 1000000000ull;
	g->csma.SetChannelAttribute("DataRate", DataRateValue(DataRate(rate)));
	g->csma.SetChannelAttribute("Delay",
				    TimeValue(MicroSeconds(o->delay_us)));
	g->csma.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
			 QueueSizeValue(o->queue_pkts ?
				QueueSize(QueueSizeUnit::PACKETS, o->queue_pkts) :
				QueueSize("100p")));
	size_t k = g->lans.size();
	g->lans.emplace_back();
	Lan &lan = g->lans.back();
	lan.loss = o->loss;
	lan.jitter_us = o->jitter_us;
	lan.ah.SetBase(Ipv4Address((10u << 24) + (128u << 16) +
				   (uint32_t)(k << 8)),
		       Ipv4Mask("255.255.255.0"));
	NetDeviceContainer devs = g->csma.Install(nc);
	lan.chan = DynamicCast<CsmaChannel>(devs.Get(0)->GetChannel());
	lan_devs_setup(lan, devs, nc, std::vector<int>(nodes, nodes + n));
	return (int)k;
}

extern "C" int ns3_lan_join(int lan, int node)
{
	if (!g || lan < 0 || (size_t)lan >= g->lans.size() || node < 0 ||
	    (uint32_t)node >= g->nodes.GetN())
		return EINVAL;
	if (g->lans[lan].addr.size() >= 254)	// its /24 is full
		return ENOSPC;
	Lan &l = g->lans[lan];
	for (uint32_t i = 0; i < l.devs.GetN(); i++)
		if (l.devs.Get(i)->GetNode() == g->nodes.Get(node))
			return EEXIST;
	NodeContainer nc(g->nodes.Get(node));
	NetDeviceContainer devs = g->csma.Install(nc, l.chan);
	lan_devs_setup(l, devs, nc, std::vector<int>{ node });
	return 0;
}

extern "C" int ns3_lan_addr(int lan, size_t i, struct net_addr *out)
{
	if (!g || lan < 0 || (size_t)lan >= g->lans.size() ||
	    i >= g->lans[lan].addr.size() || !out)
		return EINVAL;
	from_ns3(g->lans[lan].addr[i], 0, out);
	return 0;
}
