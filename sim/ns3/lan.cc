// SPDX-License-Identifier: BSD-3-Clause
// Shared LAN segments for the ns-3 shim: ns-3's CSMA channel (Ethernet)
// joining several nodes, with the same options as a point-to-point link,
// addressed from their own /24 pool and routed by the global routing
// like the links.
#include <cerrno>

#include <ns3/neighbor-cache-helper.h>

#include "ns3/shim.hh"

using namespace rtcb;

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
	Lan lan;
	lan.devs = g->csma.Install(nc);
	// ARP (request jitter) and CSMA backoff draw random numbers too; ns-3
	// would give them streams from a process-wide counter, so pin them
	// or the same seed would not give the same run.
	g->stream += g->csma.AssignStreams(lan.devs, g->stream);
	g->stream += g->stack.AssignStreams(nc, g->stream);
	// Loss per receiving device: each member drops its share of what it
	// hears, so a datagram across the LAN is lost with probability loss.
	for (size_t i = 0; o->loss > 0 && i < n; i++) {
		Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
		em->SetAttribute("ErrorRate", DoubleValue(o->loss));
		em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
		em->AssignStreams(g->stream++);
		lan.devs.Get(i)->SetAttribute("ReceiveErrorModel",
					      PointerValue(em));
	}
	size_t k = g->lans.size();
	Ipv4AddressHelper ah;
	ah.SetBase(Ipv4Address((10u << 24) + (128u << 16) + (uint32_t)(k << 8)),
		   Ipv4Mask("255.255.255.0"));
	Ipv4InterfaceContainer ifs = ah.Assign(lan.devs);
	// Fill the members' ARP caches now: a lost ARP request or reply
	// would stall a flow for ns-3's 1 s retry and drop all but three
	// queued datagrams, so loss would hit far more than its share.
	NeighborCacheHelper nch;
	nch.PopulateNeighborCache(ifs);
	if (g->ran) {	// see ns3_link_add
		TrafficControlHelper tch;
		tch.Uninstall(lan.devs);
		for (size_t i = 0; i < n; i++) {
			Ptr<TrafficControlLayer> tc = nc.Get(i)->
				GetObject<TrafficControlLayer>();
			if (tc)
				tc->ScanDevices();
		}
	}
	for (size_t i = 0; i < n; i++) {
		lan.addr.push_back(ifs.GetAddress(i));
		attach(nodes[i], ifs.GetAddress(i), o->jitter_us);
	}
	if (!g->pcap.empty())
		g->csma.EnablePcap(g->pcap, lan.devs, false);
	g->lans.push_back(lan);
	return (int)k;
}

extern "C" int ns3_lan_addr(int lan, size_t i, struct net_addr *out)
{
	if (!g || lan < 0 || (size_t)lan >= g->lans.size() ||
	    i >= g->lans[lan].addr.size() || !out)
		return EINVAL;
	from_ns3(g->lans[lan].addr[i], 0, out);
	return 0;
}
