// kafka-dump-log --cluster-metadata-decoder: prints the metadata log's
// segments (and snapshots) with every record decoded, as Kafka's
// kafka-dump-log.sh does with that option.
//
//   bazel run //chapters/05_controller/tools:dump_metadata_log --
//       --cluster-metadata-decoder
//       --files
//       DIR/controller-3000/__cluster_metadata-0/00000000000000000000.log
//
// Chapter 1's dump_log prints other partitions' segments and indexes.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>

#include "chapters/05_controller/tools/metadata_log_dump.h"
#include "lib/user_path.h"

int main(int argc, char** argv) {
  CLI::App app{"Prints metadata log segments and snapshots, decoded."};
  std::vector<std::string> files;
  app.add_option("--files,files", files,
                 "__cluster_metadata-0 segment (.log) or snapshot "
                 "(.checkpoint) files")
      ->required();
  bool metadata_decoder = true;  // Kafka's option; this tool always decodes
  app.add_flag("--cluster-metadata-decoder", metadata_decoder,
               "decode the records as metadata records (always, here)");
  CLI11_PARSE(app, argc, argv);

  bool all_valid = true;
  for (const std::string& file : files) {
    const std::string path = kafka::FromUserDirectory(file);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "no such file: " << path << "\n";
      all_valid = false;
      continue;
    }
    const kafka::Bytes contents{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
    std::cout << "Dumping " << path << "\n";
    all_valid &= kafka::DumpMetadataLog(contents, std::cout);
  }
  return all_valid ? 0 : 1;
}
