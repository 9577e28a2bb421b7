// kafka-dump-log: prints segment files, as Kafka's kafka-dump-log.sh does.
//
//   bazel run //chapters/01_log:dump_log -- --files
//   DIR/t-0/00000000000000000000.log
#include <CLI/CLI.hpp>
#include <iostream>

#include "chapters/01_log/dump.h"
#include "lib/storage/posix_storage.h"
#include "lib/user_path.h"

int main(int argc, char** argv) {
  CLI::App app{"Prints Kafka segment files (.log, .index, .timeindex)."};
  std::vector<std::string> files;
  bool print_data_log = true;
  app.add_option("--files,files", files, "segment files to print")->required();
  app.add_flag("!--no-print-data-log", print_data_log,
               "print only batch headers, not records");
  CLI11_PARSE(app, argc, argv);

  kafka::PosixStorage storage;
  bool all_valid = true;
  for (const std::string& file : files) {
    std::string path = kafka::FromUserDirectory(file);
    if (!storage.Exists(path)) {
      std::cerr << "no such file: " << path << "\n";
      all_valid = false;
      continue;
    }
    all_valid &=
        kafka::DumpSegmentFile(storage, path, print_data_log, std::cout);
  }
  return all_valid ? 0 : 1;
}
