#include "chapters/04_replication/replication_settings.h"

namespace kafka {

std::vector<ServerSetting> ReplicationSettings(ReplicaManagerConfig& replicas) {
  ReplicaFetcherConfig& fetcher = replicas.fetcher;
  return {
      LongSetting("replica.lag.time.max.ms",
                  replicas.replication.replica_lag_time_max_ms, 0),
      LongSetting("replica.high.watermark.checkpoint.interval.ms",
                  replicas.replica_high_watermark_checkpoint_interval_ms, 1),
      IntSetting("replica.fetch.wait.max.ms", fetcher.replica_fetch_wait_max_ms,
                 0),
      IntSetting("replica.fetch.min.bytes", fetcher.replica_fetch_min_bytes, 0),
      IntSetting("replica.fetch.max.bytes", fetcher.replica_fetch_max_bytes, 0),
      IntSetting("replica.fetch.response.max.bytes",
                 fetcher.replica_fetch_response_max_bytes, 0),
      IntSetting("replica.fetch.backoff.ms", fetcher.replica_fetch_backoff_ms,
                 0),
      IntSetting("replica.socket.timeout.ms", fetcher.request_timeout_ms, 0),
  };
}

}  // namespace kafka
