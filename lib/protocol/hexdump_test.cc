#include "lib/protocol/hexdump.h"

#include <gtest/gtest.h>

#include "lib/protocol/header.h"

namespace kafka {
namespace {

// Rule: the dump shows each field beside its bytes, and where decoding
// stopped and why.
TEST(HexdumpTest, DumpsARequestFieldByField) {
  Bytes frame = EncodeRequestFrame({18, 3, 7, "rdkafka"},
                                   Bytes{0x03, 'l', 'i', 0x02, '2', 0x00});
  EXPECT_EQ(DumpRequest(ByteView(frame).subspan(kFrameSizeBytes)),
            "0000  00 12                     api_key\n"
            "0002  00 03                     api_version\n"
            "0004  00 00 00 07               correlation_id\n"
            "0008  00 07 72 64 6b 61 66 6b   client_id\n"
            "0010  61                        \n"
            "0011  00                        tagged fields count\n"
            "0012  03 6c 69                  client_software_name\n"
            "0015  02 32                     client_software_version\n"
            "0017  00                        tagged fields count\n");
}

TEST(HexdumpTest, ShowsTheErrorAndTheUndecodedRest) {
  Bytes frame = EncodeRequestFrame({18, 3, 7, "c"}, Bytes{0x09, 'x'});
  std::string dump = DumpRequest(ByteView(frame).subspan(kFrameSizeBytes));
  EXPECT_NE(dump.find("(not decoded)"), std::string::npos) << dump;
  EXPECT_NE(
      dump.find("error: INVALID_REQUEST: ApiVersionsRequest v3: field "
                "'client_software_name' at byte 13: needs 8 bytes, 1 left"),
      std::string::npos)
      << dump;
}

}  // namespace
}  // namespace kafka
