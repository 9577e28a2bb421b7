// Runs the fuzz target in every normal build: over the seed corpus, and over
// seeded random mutations of it, so the target cannot rot and the decoders
// meet garbage even where clang's libFuzzer is not run (tools/fuzz.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "lib/bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace kafka {
namespace {

std::vector<Bytes> SeedCorpus() {
  std::vector<Bytes> corpus;
  for (const auto& entry :
       std::filesystem::directory_iterator("tests/fuzz/corpus")) {
    std::ifstream file(entry.path(), std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(file),
                        std::istreambuf_iterator<char>());
  }
  return corpus;
}

TEST(FuzzTargetTest, SeedCorpusAndMutationsNeverCrash) {
  std::vector<Bytes> corpus = SeedCorpus();
  ASSERT_GE(corpus.size(), 3u);
  std::mt19937_64 random(99);
  for (const Bytes& seed : corpus) {
    LLVMFuzzerTestOneInput(seed.data(), seed.size());
    for (int i = 0; i < 5000; ++i) {
      Bytes mutated = seed;
      int flips = 1 + int(random() % 4);
      for (int f = 0; f < flips && !mutated.empty(); ++f) {
        mutated[random() % mutated.size()] = uint8_t(random());
      }
      if (random() % 4 == 0) mutated.resize(random() % (mutated.size() + 1));
      LLVMFuzzerTestOneInput(mutated.data(), mutated.size());
    }
  }
}

}  // namespace
}  // namespace kafka
