// One test per rule of the format (see properties.h), and per error.
#include "lib/config/properties.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace kafka {
namespace {

Properties Parse(std::string_view text) {
  Result<Properties> properties = ParseProperties(text);
  EXPECT_TRUE(properties.ok()) << properties.error();
  return properties.ok() ? *properties : Properties{};
}

TEST(PropertiesTest, HashAndBangLinesAreComments) {
  EXPECT_EQ(Parse("# node.id=1\n  ! node.id=2\nnum.partitions=3\n"),
            (Properties{{"num.partitions", "3"}}));
}

TEST(PropertiesTest, BlankLinesAreSkipped) {
  EXPECT_EQ(Parse("\n  \t\f\nnode.id=1\n\n"), (Properties{{"node.id", "1"}}));
}

TEST(PropertiesTest, EqualsColonOrBlankSeparatesKeyFromValue) {
  EXPECT_EQ(Parse("a=1\nb:2\nc 3\n"),
            (Properties{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(PropertiesTest, BlanksAroundTheSeparatorAndBeforeTheKeyAreSkipped) {
  EXPECT_EQ(Parse("  node.id  =  1\n\tlog.dirs :\t/tmp/k\n"),
            (Properties{{"log.dirs", "/tmp/k"}, {"node.id", "1"}}));
}

TEST(PropertiesTest, OnlyTheFirstSeparatorSeparates) {
  EXPECT_EQ(
      Parse("a==1\nb = :2\nlisteners=PLAINTEXT://h:9092\n"),
      (Properties{
          {"a", "=1"}, {"b", ":2"}, {"listeners", "PLAINTEXT://h:9092"}}));
}

TEST(PropertiesTest, AKeyAloneHasAnEmptyValue) {
  EXPECT_EQ(Parse("log.dirs\nnode.id =\n"),
            (Properties{{"log.dirs", ""}, {"node.id", ""}}));
}

TEST(PropertiesTest, TrailingBlanksBelongToTheValue) {
  EXPECT_EQ(Parse("node.id=1  \n"), (Properties{{"node.id", "1  "}}));
}

TEST(PropertiesTest, ABackslashAtTheEndJoinsTheNextLineWithoutItsIndent) {
  EXPECT_EQ(Parse("log.dirs=/a,\\\n    /b,\\\n\t/c\nnode.id=1\n"),
            (Properties{{"log.dirs", "/a,/b,/c"}, {"node.id", "1"}}));
}

TEST(PropertiesTest, AnEvenNumberOfBackslashesAtTheEndDoesNotJoin) {
  EXPECT_EQ(Parse("a=x\\\\\nb=y\n"), (Properties{{"a", "x\\"}, {"b", "y"}}));
}

TEST(PropertiesTest, AContinuedLineMayLookLikeAComment) {
  EXPECT_EQ(Parse("a=x\\\n# still a\n"), (Properties{{"a", "x# still a"}}));
}

TEST(PropertiesTest, ACommentDoesNotContinue) {
  EXPECT_EQ(Parse("# comment \\\na=1\n"), (Properties{{"a", "1"}}));
}

TEST(PropertiesTest, ABackslashOnTheLastLineJoinsNothing) {
  EXPECT_EQ(Parse("a=x\\"), (Properties{{"a", "x"}}));
}

TEST(PropertiesTest, EscapesStandForControlCharactersOrThemselves) {
  EXPECT_EQ(Parse("a=\\t\\n\\r\\f\nb=C:\\\\kafka \\# \\=\n"),
            (Properties{{"a", "\t\n\r\f"}, {"b", "C:\\kafka # ="}}));
}

TEST(PropertiesTest, EscapedSeparatorsAndBlanksBelongToTheKey) {
  EXPECT_EQ(Parse("a\\=b\\:c\\ d=1\n"), (Properties{{"a=b:c d", "1"}}));
}

TEST(PropertiesTest, UnicodeEscapesBecomeUtf8) {
  EXPECT_EQ(Parse("a=\\u0041\\u00e9\\u20AC\n"),
            (Properties{{"a", "A\xC3\xA9\xE2\x82\xAC"}}));
}

TEST(PropertiesTest, TheLastOfTwoValuesWins) {
  EXPECT_EQ(Parse("node.id=1\nnode.id=2\n"), (Properties{{"node.id", "2"}}));
}

TEST(PropertiesTest, LinesEndInNewlineCarriageReturnOrBoth) {
  EXPECT_EQ(Parse("a=1\r\nb=2\rc=3\nd=4"),
            (Properties{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
}

TEST(PropertiesTest, ACarriageReturnAndNewlineEndOneLine) {
  EXPECT_EQ(Parse("a=x\\\r\n  y\r\n"), (Properties{{"a", "xy"}}));
}

TEST(PropertiesTest, AMalformedUnicodeEscapeNamesItsLine) {
  Result<Properties> properties = ParseProperties("a=1\n\nb=\\u12G4\n");
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.error().code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(properties.error().message, "line 3: malformed \\uXXXX escape");
}

TEST(PropertiesTest, AShortUnicodeEscapeIsMalformed) {
  Result<Properties> properties = ParseProperties("b=\\u12");
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.error().message, "line 1: malformed \\uXXXX escape");
}

TEST(PropertiesTest, ASurrogateEscapeIsRefused) {
  Result<Properties> properties = ParseProperties("a=\\uD83D\\uDE00\n");
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.error().message,
            "line 1: \\u escapes of surrogates (characters above U+FFFF) are "
            "not supported");
}

TEST(PropertiesTest, LoadPropertiesFileReadsAFile) {
  std::string path = ::testing::TempDir() + "/server.properties";
  std::ofstream(path) << "# a copy of Kafka's\nnode.id=4\n";
  Result<Properties> properties = LoadPropertiesFile(path);
  ASSERT_TRUE(properties.ok()) << properties.error();
  EXPECT_EQ(*properties, (Properties{{"node.id", "4"}}));
  std::remove(path.c_str());
}

TEST(PropertiesTest, AFileThatCannotBeReadIsNamed) {
  Result<Properties> properties = LoadPropertiesFile("/no/such/file");
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.error().message,
            "/no/such/file: cannot read it: No such file or directory");
}

TEST(PropertiesTest, AParseErrorNamesTheFileAndLine) {
  std::string path = ::testing::TempDir() + "/bad.properties";
  std::ofstream(path) << "a=\\u00\n";
  Result<Properties> properties = LoadPropertiesFile(path);
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.error().message,
            path + ": line 1: malformed \\uXXXX escape");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kafka
