/*
 * A librdkafka producer for the benchmarks (bench/librdkafka-produce.ts builds it with the system's cc and
 * Debian's librdkafka-dev): sends keyless records of a fixed size to partitions 0..P-1 in turn at a steady rate
 * (bytes of values per second) for a number of seconds, or (a rate of 0) as fast as librdkafka takes them until
 * that many seconds have passed, and measures each record's latency from produce() to its delivery report; then
 * prints one JSON line on stdout. It runs in its own process; the bench starts the broker.
 *
 * usage: rdkafka-producer <bootstrap> <topic> <partitions> <record bytes> <bytes per second, 0: unpaced> <seconds> [key=value ...]
 *   key=value pairs are librdkafka configuration (the bench passes acks and linger.ms).
 * stdout: {"records":N,"elapsedMs":E,"p50":..,"p99":..,"p999":..,"max":..,"lagMaxMs":L,"cpuSeconds":C}
 *   latencies in ms; elapsedMs: first send to the last delivery report; lagMaxMs: how far the sends fell behind
 *   the schedule at most (a producer that cannot keep the rate reports it rather than hiding it);
 *   cpuSeconds: this process's user + system CPU over the whole run.
 * Exit status 0 on success; 1 with a message on stderr otherwise (bad arguments, a delivery error, a timeout).
 */
#define PROGRAM "rdkafka-producer"
#include "rdkafka-common.h"
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define FLUSH_TIMEOUT_MS 60000
#define METADATA_TIMEOUT_MS 10000
/* Sleep when ahead of schedule: the producer wakes about every millisecond and sends what is due, as a paced
 * application (or rdkafka_performance) does; librdkafka then sends one ProduceRequest per partition per wake-up,
 * about 6k requests/s over 6 partitions at any rate. */
#define PACE_SLEEP_NS 1000000
/* Unpaced runs do not know their record count in advance: the per-record arrays start this long and double. */
#define UNPACED_RECORDS_INITIAL (1 << 20)

/* Send time of record i (ms), and its latency once delivered (ms; -1 until then). */
static double *sent_at;
static double *latency;
static long long delivered = 0;
static double last_delivery_ms = 0;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) fail("delivery", rd_kafka_err2str(m->err));
  const long long i = (long long)(intptr_t)m->_private;
  last_delivery_ms = now_ms();
  latency[i] = last_delivery_ms - sent_at[i];
  delivered++;
}

static int by_value(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void allocate_records(long long count) {
  sent_at = realloc(sent_at, sizeof(double) * count);
  latency = realloc(latency, sizeof(double) * count);
  if (sent_at == NULL || latency == NULL) fail("out of memory", NULL);
}

static double percentile(const double *sorted, long long n, double p) {
  long long at = (long long)(p * (double)(n - 1) + 0.5);
  return sorted[at < n ? at : n - 1];
}

int main(int argc, char **argv) {
  if (argc < 7) fail("usage: rdkafka-producer <bootstrap> <topic> <partitions> <record bytes> <bytes per second, 0: unpaced> <seconds> [key=value ...]", NULL);
  const int partitions = atoi(argv[3]);
  const int record_bytes = atoi(argv[4]);
  const double bytes_per_second = atof(argv[5]);
  const double seconds = atof(argv[6]);
  if (partitions <= 0 || record_bytes <= 0 || bytes_per_second < 0 || seconds <= 0) fail("partitions, record bytes and seconds must be positive, the rate not negative", NULL);
  const int unpaced = bytes_per_second == 0;
  const double records_per_ms = bytes_per_second / record_bytes / 1e3;
  /* Paced: exactly this many records. Unpaced: the arrays' length so far, and the count once the time is up. */
  long long total = unpaced ? UNPACED_RECORDS_INITIAL : (long long)(records_per_ms * seconds * 1e3);
  if (total <= 0) fail("the rate and duration give no record", NULL);

  char error[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", argv[1]);
  for (int i = 7; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL) fail("expected key=value", argv[i]);
    *eq = '\0';
    set(conf, argv[i], eq + 1);
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == NULL) fail("rd_kafka_new", error);
  rd_kafka_topic_t *topic = rd_kafka_topic_new(rk, argv[2], NULL);
  /* Connected and the topic's leaders known before the clock starts. */
  const struct rd_kafka_metadata *metadata;
  if (rd_kafka_metadata(rk, 0, topic, &metadata, METADATA_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR) fail("metadata", NULL);
  rd_kafka_metadata_destroy(metadata);

  allocate_records(total);
  char *value = malloc(record_bytes);
  if (value == NULL) fail("out of memory", NULL);
  for (int i = 0; i < record_bytes; i++) value[i] = (char)('a' + i % 26);

  const double started_ms = now_ms();
  double lag_max_ms = 0;
  for (long long i = 0; i < total;) {
    const double now = now_ms();
    if (unpaced && now - started_ms >= seconds * 1e3) {
      total = i;
      break;
    }
    if (unpaced && i == total - 1) allocate_records(total *= 2);
    const long long due = unpaced ? i + 1 : (long long)((now - started_ms) * records_per_ms) + 1;
    if (i >= due) {
      rd_kafka_poll(rk, 0);
      struct timespec pause = {0, PACE_SLEEP_NS};
      nanosleep(&pause, NULL);
      continue;
    }
    const double lag = unpaced ? 0 : now - (started_ms + (double)i / records_per_ms);
    if (lag > lag_max_ms) lag_max_ms = lag;
    sent_at[i] = now;
    if (rd_kafka_produce(topic, (int32_t)(i % partitions), RD_KAFKA_MSG_F_COPY, value, record_bytes, NULL, 0, (void *)(intptr_t)i) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) fail("produce", rd_kafka_err2str(rd_kafka_last_error()));
      rd_kafka_poll(rk, 1);
      continue;
    }
    i++;
    rd_kafka_poll(rk, 0);
  }
  if (total == 0) fail("no record was taken in time", NULL);
  const double flush_from = now_ms();
  while (delivered < total) {
    rd_kafka_poll(rk, 10);
    if (now_ms() - flush_from > FLUSH_TIMEOUT_MS) fail("not every record was delivered in time", NULL);
  }
  qsort(latency, total, sizeof(double), by_value);
  printf("{\"records\":%lld,\"elapsedMs\":%.3f,\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"lagMaxMs\":%.3f,\"cpuSeconds\":%.3f}\n", total,
         last_delivery_ms - started_ms, percentile(latency, total, 0.5), percentile(latency, total, 0.99), percentile(latency, total, 0.999),
         latency[total - 1], lag_max_ms, cpu_seconds());
  fflush(stdout);
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
  return 0;
}
