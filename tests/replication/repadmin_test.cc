// repadmin's views over DCs that replicated, and failed to, in the world.
#include "replication/repadmin.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "replication_world.h"

namespace dcemu::replication::testing {
namespace {

using Catch::Matchers::Contains;

struct NamedWorld {
  ReplicationWorld world{3};
  DsaNames names;
  std::vector<DsaInfo> infos;

  NamedWorld() {
    for (int i = 0; i < world.size(); ++i) {
      DsaInfo info{world.dsa(i),
                   {world.dc(i).invocationId()},
                   i < 2 ? "HQ" : "Branch",
                   fmt::format("DC{}", i + 1),
                   fmt::format("dc{}.corp.example.com", i + 1)};
      info.globalCatalog = i == 0;
      infos.push_back(info);
      names.add(info);
    }
  }
  DcView view(int i) { return {&world.dc(i), &infos[i]}; }
};

}  // namespace

TEST_CASE("showrepl lists each inbound partner per naming context with its last outcome", "[replication][repadmin]") {
  NamedWorld w;
  w.world.clock().advance(3600'000'000LL);  // 2026-01-05 01:00:00
  w.world.pullAll(0, 1);
  w.world.transport().setReachable(w.world.dsa(2), false);
  REQUIRE(w.world.pull(0, 2).win32 == 1722);
  REQUIRE(w.world.pull(0, 2).win32 == 1722);

  std::string text = require(showRepl(w.view(0), w.names, false));
  CHECK_THAT(text, Contains("Repadmin: running command /showrepl against full DC dc1.corp.example.com\nHQ\\DC1\n"
                            "DSA Options: IS_GC\n"));
  CHECK_THAT(text, Contains("==== INBOUND NEIGHBORS ======================================\n\n"
                            "DC=corp,DC=example,DC=com\n    HQ\\DC2 via RPC\n"));
  CHECK_THAT(text, Contains("        Last attempt @ 2026-01-05 01:00:00 was successful.\n"));
  CHECK_THAT(text, Contains("    Branch\\DC3 via RPC\n        DSA object GUID: " + w.world.dsa(2).toString() +
                            "\n        Last attempt @ 2026-01-05 01:00:00 failed, result 1722 (0x6ba):\n"
                            "            The RPC server is unavailable.\n        2 consecutive failure(s).\n"
                            "        Last success @ (never).\n"));
  // The domain NC comes before configuration, which comes before schema.
  auto domain = text.find("\nDC=corp,DC=example,DC=com\n");
  auto configuration = text.find("\nCN=Configuration,DC=corp,DC=example,DC=com\n");
  auto schema = text.find("\nCN=Schema,CN=Configuration,DC=corp,DC=example,DC=com\n");
  CHECK(domain < configuration);
  CHECK(configuration < schema);
  CHECK(schema != std::string::npos);

  std::string csv = require(showRepl(w.view(0), w.names, true));
  CHECK_THAT(csv,
             Contains("showrepl_INFO,HQ,DC1,\"DC=corp,DC=example,DC=com\",HQ,DC2,RPC,0,0,2026-01-05 01:00:00,0\n"));
  CHECK_THAT(
      csv,
      Contains("showrepl_INFO,HQ,DC1,\"DC=corp,DC=example,DC=com\",Branch,DC3,RPC,2,2026-01-05 01:00:00,0,1722\n"));
}

TEST_CASE("replsummary reports the largest delta and failing partnerships per source and destination",
          "[replication][repadmin]") {
  NamedWorld w;
  // DC2 and DC3 joined from DC1 at the epoch; DC1 pulls from DC2 an hour later.
  w.world.clock().advance(3600'000'000LL);
  w.world.pullAll(0, 1);
  w.world.transport().setReachable(w.world.dsa(0), false);
  REQUIRE(w.world.pull(2, 0).win32 == 1722);
  int64_t now = w.world.clock().nowMicros() + 5 * 60'000'000LL;

  std::string text = require(replSummary({w.view(0), w.view(1), w.view(2)}, now));
  CHECK_THAT(text, Contains("Replication Summary Start Time: 2026-01-05 01:05:00\n"));
  // DC1 is the source of 6 partnerships (3 NCs to DC2 and DC3); DC3's
  // domain pull from it failed and its oldest success is 01h:05m old.
  CHECK_THAT(text,
             Contains("Source DSA          largest delta    fails/total %%   error\n"
                      " DC1                   01h:05m:00s    1 /   6   16  (1722) The RPC server is unavailable.\n"
                      " DC2                       05m:00s    0 /   3    0\n"));
  CHECK_THAT(text, Contains("Destination DSA     largest delta    fails/total %%   error\n"
                            " DC1                       05m:00s    0 /   3    0\n"
                            " DC2                   01h:05m:00s    0 /   3    0\n"
                            " DC3                   01h:05m:00s    1 /   3   33  (1722)"));
}

TEST_CASE("showobjmeta prints each attribute's stamp and each linked value's, with the originating DC",
          "[replication][repadmin]") {
  NamedWorld w;
  require(w.world.dc(0).add(w.world.dn("OU=Apps"), {{"objectClass", {"organizationalUnit"}}}));
  w.world.pullAll(1, 0);
  w.world.clock().advance(1'000'000);
  require(w.world.dc(1).modify(w.world.dn("OU=Apps"), {{dc::Change::Op::Replace, "description", {"second"}}}));
  require(w.world.dc(1).modify(w.world.dn("OU=Apps"), {{dc::Change::Op::Replace, "description", {"third"}}}));
  require(w.world.dc(1).modify(w.world.dn("OU=Apps"),
                               {{dc::Change::Op::Replace, "managedBy", {w.world.dn("CN=Administrator,CN=Users")}}}));
  w.world.pullAll(0, 1);

  std::string text = require(showObjMeta(w.view(0), w.names, w.world.dn("OU=Apps")));
  uint64_t dc2Usn = w.world.dc(1).highestCommittedUsn();
  CHECK_THAT(text, Contains("Loc.USN                           Originating DSA  Org.USN  Org.Time/Date        Ver "
                            "Attribute\n"));
  CHECK_THAT(text, Contains(fmt::format("{:>40} {:>9} 2026-01-05 00:00:01    2 description\n", "HQ\\DC2", dc2Usn - 1)));
  CHECK_THAT(text, Contains(fmt::format("{:>40}", "HQ\\DC1")));
  CHECK_THAT(text, Contains("1 entries.\nType    Attribute"));
  CHECK_THAT(text, Contains(fmt::format("PRESENT    managedBy 2026-01-05 00:00:01 {:>40} ", "HQ\\DC2")));
  CHECK_THAT(text, Contains("\n        CN=Administrator,CN=Users,DC=corp,DC=example,DC=com\n"));
  CHECK_FALSE(showObjMeta(w.view(0), w.names, w.world.dn("OU=Missing")).isOk());
}

TEST_CASE("showutdvec lists every originating DC a replica has seen, by name, with the USN it has seen up to",
          "[replication][repadmin]") {
  NamedWorld w;
  require(w.world.dc(1).add(w.world.dn("OU=FromDc2"), {{"objectClass", {"organizationalUnit"}}}));
  w.world.pullAll(0, 1);
  std::string text = require(showUtdVec(w.view(0), w.names, dc::NamingContext::Domain));
  CHECK_THAT(text, Contains(fmt::format("HQ\\DC1 @ USN {:>9} @ Time 2026-01-05 00:00:00\n",
                                        w.world.dc(0).highestCommittedUsn())));
  CHECK_THAT(text, Contains(fmt::format("HQ\\DC2 @ USN {:>9} @ Time 2026-01-05 00:00:00\n",
                                        w.world.dc(1).highestCommittedUsn())));
  // DC3 never originated a write in the domain NC, so DC1's vector has no line for it.
  CHECK(text.find("Branch\\DC3") == std::string::npos);
}

}  // namespace dcemu::replication::testing
