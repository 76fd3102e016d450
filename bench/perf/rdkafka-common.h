/*
 * What both librdkafka programs of the benchmarks (rdkafka-consumer.c, rdkafka-producer.c) need: the monotonic
 * clock in ms, the process's CPU seconds, failing with one line on stderr (prefixed by the program's name, which
 * each defines as PROGRAM before including this), and setting one librdkafka configuration key.
 */
#ifndef FJORD_RDKAFKA_COMMON_H
#define FJORD_RDKAFKA_COMMON_H

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_seconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "%s: %s%s%s\n", PROGRAM, what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char error[512];
  if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) fail("configuration", error);
}

#endif
