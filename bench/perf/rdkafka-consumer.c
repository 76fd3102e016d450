/*
 * A librdkafka consumer for the benchmarks (bench/librdkafka-consume.ts builds it with the system's cc and
 * Debian's librdkafka-dev): reads partitions 0..P-1 of a topic from the beginning until it has N records,
 * discarding them, then prints one JSON line on stdout. It runs in its own process; the bench times it.
 *
 * usage: rdkafka-consumer <bootstrap> <topic> <partitions> <records> [key=value ...]
 *   key=value pairs are librdkafka configuration (e.g. max.partition.fetch.bytes=10485760).
 * stdout: {"records":N,"bytes":B,"firstMs":F,"elapsedMs":E,"cpuSeconds":C}
 *   bytes: key + value bytes received; firstMs: start to the first record (connect, metadata, first fetch);
 *   elapsedMs: first record to the last; cpuSeconds: this process's user + system CPU over the whole run.
 * Exit status 0 on success; 1 with a message on stderr otherwise (bad arguments, a consumer error, no
 * progress for IDLE_LIMIT_MS).
 *
 * The partitions are assigned directly (no group membership, no offset commits): the load is fetches only.
 */
#define PROGRAM "rdkafka-consumer"
#include "rdkafka-common.h"
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BATCH_MAX 4096
#define POLL_MS 100
#define IDLE_LIMIT_MS 30000

static rd_kafka_t *open_consumer(const char *bootstrap, int argc, char **argv) {
  char error[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "fjord-bench-rdkafka");
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.auto.offset.store", "false");
  set(conf, "enable.partition.eof", "false");
  for (int i = 0; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL) fail("expected key=value", argv[i]);
    *eq = '\0';
    set(conf, argv[i], eq + 1);
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (rk == NULL) fail("rd_kafka_new", error);
  rd_kafka_poll_set_consumer(rk);
  return rk;
}

static void assign_all(rd_kafka_t *rk, const char *topic, int partitions) {
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) fail("assign", rd_kafka_err2str(err));
}

int main(int argc, char **argv) {
  if (argc < 5) fail("usage: rdkafka-consumer <bootstrap> <topic> <partitions> <records> [key=value ...]", NULL);
  const int partitions = atoi(argv[3]);
  const long long wanted = atoll(argv[4]);
  if (partitions <= 0 || wanted <= 0) fail("partitions and records must be positive", NULL);
  const double started_ms = now_ms();
  rd_kafka_t *rk = open_consumer(argv[1], argc - 5, argv + 5);
  assign_all(rk, argv[2], partitions);
  rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
  rd_kafka_message_t *batch[BATCH_MAX];
  long long records = 0, bytes = 0;
  double first_ms = -1, last_ms = 0, progress_ms = now_ms();
  while (records < wanted) {
    ssize_t n = rd_kafka_consume_batch_queue(queue, POLL_MS, batch, BATCH_MAX);
    if (n < 0) fail("consume", rd_kafka_err2str(rd_kafka_last_error()));
    for (ssize_t i = 0; i < n; i++) {
      rd_kafka_message_t *m = batch[i];
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) fail("consume", rd_kafka_message_errstr(m));
      records++;
      bytes += (long long)m->len + (long long)m->key_len;
      rd_kafka_message_destroy(m);
    }
    const double t = now_ms();
    if (n > 0) {
      if (first_ms < 0) first_ms = t;
      last_ms = t;
      progress_ms = t;
    } else if (t - progress_ms > IDLE_LIMIT_MS) {
      fprintf(stderr, "rdkafka-consumer: no record for %d ms after %lld of %lld\n", IDLE_LIMIT_MS, records, wanted);
      return 1;
    }
  }
  rd_kafka_queue_destroy(queue);
  printf("{\"records\":%lld,\"bytes\":%lld,\"firstMs\":%.3f,\"elapsedMs\":%.3f,\"cpuSeconds\":%.3f}\n", records, bytes, first_ms - started_ms,
         last_ms - first_ms, cpu_seconds());
  fflush(stdout);
  /* The records are counted; closing (leaving no group, committing nothing) is not part of the measure. */
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return 0;
}
