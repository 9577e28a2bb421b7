// A current librdkafka (through @confluentinc/kafka-javascript, installed by
// tools/install_current_librdkafka.sh) against our broker: produce keyed
// records with acks=all, consume them back in a consumer group with commits,
// then the admin calls a user's tools make (create a topic and grow it,
// describe it, list offsets, delete records, list, describe and delete the
// group, delete the topic), checking each answer. Reports, from librdkafka's
// protocol debug log, which version of each API it used. Exits 0 when every
// record came back and every admin call gave the expected answer.
//
//   node current_librdkafka_client.js HOST:PORT TOPIC COUNT
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic, countText] = process.argv.slice(2);
const count = Number(countText);
const groupId = 'current-librdkafka';
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
    'group.id': groupId,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
    'heartbeat.interval.ms': 200,  // so that every run sends heartbeats
    'debug': 'protocol',
  }));
  const seen = new Set();
  let leaving = false;
  consumer.on('ready', () => {
    consumer.subscribe([topic]);
    consumer.consume();
  });
  consumer.on('data', (message) => {
    seen.add(message.value.toString());
    consumer.commitMessage(message);
    if (seen.size === count && !leaving) {
      leaving = true;  // after a second more of heartbeats
      setTimeout(() => consumer.disconnect(done), 1000);
    }
  });
  consumer.connect();
}

// The admin calls, in order; each returns a promise of its checked answer.
function adminCalls(admin) {
  const call = (method, ...args) => new Promise((resolve, reject) => {
    admin[method](...args, (err, result) => err ? reject(err) : resolve(result));
  });
  const expect = (what, ok) => { if (!ok) fail(what); };
  const adminTopic = 'admin-topic';
  return [
    () => call('createTopic', {topic: adminTopic, num_partitions: 1,
                               replication_factor: 1}),
    () => call('createPartitions', adminTopic, 3),
    () => call('describeTopics', [adminTopic], {}).then((topics) => {
      expect('describeTopics: three partitions',
             topics[0].partitions.length === 3);
      expect('describeTopics: a topic id', topics[0].topicId &&
             topics[0].topicId.base64 !== 'AAAAAAAAAAAAAAAAAAAAAA');
    }),
    () => call('listOffsets', partitionOffsets(topic, Kafka.AdminClient.OffsetSpec.LATEST), {})
        .then((offsets) => expect('listOffsets: the log end offset',
                                  sum(offsets.map((o) => o.offset)) === count)),
    () => call('listOffsets', partitionOffsets(topic, Kafka.AdminClient.OffsetSpec.MAX_TIMESTAMP), {})
        .then((offsets) => expect('listOffsets MAX_TIMESTAMP: an offset',
                                  offsets.some((o) => o.offset >= 0))),
    () => call('deleteRecords', [{topic, partition: 0, offset: 1}], {})
        .then((r) => expect('deleteRecords: low watermark 1',
                            r[0].lowWatermark === 1)),
    () => call('listGroups', {}).then((r) => expect(
        'listGroups: our group, Empty',
        r.groups.some((g) => g.groupId === groupId &&
                      g.state === Kafka.AdminClient.ConsumerGroupStates.EMPTY))),
    () => call('describeGroups', [groupId], {}).then((r) => expect(
        'describeGroups: no members left', r.groups[0].members.length === 0)),
    () => call('listConsumerGroupOffsets', [{groupId}], {}).then((r) => expect(
        'listConsumerGroupOffsets: the committed positions',
        sum(r[0].partitions.map((p) => p.offset)) === count)),
    () => call('deleteGroups', [groupId], {}).then((r) => expect(
        'deleteGroups: deleted', !r[0].error)),
    () => call('deleteTopic', adminTopic),
    () => call('describeTopics', [adminTopic], {}).then((topics) => expect(
        'describeTopics: the deleted topic is gone',
        topics[0].error && topics[0].error.code ===
            Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART)),
  ];
}

// The records went to `topic`, whose one partition the broker created.
function partitionOffsets(name, spec) {
  return [{topic: name, partition: 0, offset: spec}];
}

function sum(numbers) {
  return numbers.reduce((a, b) => a + b, 0);
}

function administer(done) {
  const admin = Kafka.AdminClient.create(
      {'bootstrap.servers': bootstrap, 'debug': 'protocol'},
      {'event.log': recordVersions});
  adminCalls(admin).reduce((previous, next) => previous.then(next),
                           Promise.resolve())
      .then(() => { admin.disconnect(); done(); },
            (err) => fail('admin: ' + err.message));
}

const timer = setTimeout(() => fail('timed out'), 90000);
produce(() => consume(() => administer(() => {
  clearTimeout(timer);
  const used = [...versions.entries()].sort().map(
      ([api, v]) => api + ' v' + [...v].sort((a, b) => a - b).join('/'));
  console.log('librdkafka ' + Kafka.librdkafkaVersion + ' used: ' +
              used.join(', '));
  process.exit(0);
})));
