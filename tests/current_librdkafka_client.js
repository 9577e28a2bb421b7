// A current librdkafka (through @confluentinc/kafka-javascript, installed by
// tools/install_current_librdkafka.sh) against our broker: produce keyed
// records with acks=all, consume them back in a consumer group with commits,
// and report, from librdkafka's protocol debug log, which version of each API
// it used. Exits 0 when every record came back.
//
//   node current_librdkafka_client.js HOST:PORT TOPIC COUNT
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic, countText] = process.argv.slice(2);
const count = Number(countText);
const versions = new Map();  // API name -> versions sent

function recordVersions(log) {
  const sent = /Sent (\w+)Request \(v(\d+)/.exec(log.message);
  if (!sent) return;
  if (!versions.has(sent[1])) versions.set(sent[1], new Set());
  versions.get(sent[1]).add(Number(sent[2]));
}

function withDebugLog(client) {
  client.on('event.log', recordVersions);
  client.on('event.error', (e) => console.error('client error:', e.message));
  return client;
}

function fail(why) {
  console.error('FAIL: ' + why);
  process.exit(1);
}

function produce(done) {
  const producer = withDebugLog(new Kafka.Producer({
    'bootstrap.servers': bootstrap,
    'acks': 'all',
    'dr_cb': true,
    'debug': 'protocol',
  }));
  let delivered = 0;
  producer.on('delivery-report', (err) => {
    if (err) fail('delivery: ' + err.message);
    if (++delivered === count) producer.disconnect(done);
  });
  producer.on('ready', () => {
    for (let i = 0; i < count; ++i) {
      producer.produce(topic, null, Buffer.from('value-' + i), 'key-' + (i % 3));
    }
    producer.setPollInterval(10);
  });
  producer.connect();
}

function consume(done) {
  const consumer = withDebugLog(new Kafka.KafkaConsumer({
    'bootstrap.servers': bootstrap,
    'group.id': 'current-librdkafka',
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
    'debug': 'protocol',
  }));
  const seen = new Set();
  consumer.on('ready', () => {
    consumer.subscribe([topic]);
    consumer.consume();
  });
  consumer.on('data', (message) => {
    seen.add(message.value.toString());
    consumer.commitMessage(message);
    if (seen.size === count) consumer.disconnect(done);
  });
  consumer.connect();
}

const timer = setTimeout(() => fail('timed out'), 60000);
produce(() => consume(() => {
  clearTimeout(timer);
  const used = [...versions.entries()].sort().map(
      ([api, v]) => api + ' v' + [...v].sort((a, b) => a - b).join('/'));
  console.log('librdkafka ' + Kafka.librdkafkaVersion + ' used: ' +
              used.join(', '));
  process.exit(0);
}));
