'use strict';
// Drives Confluent's official JavaScript Schema Registry client for ConfluentJsClientInteropTest.
//   node interop.js serialize <registryUrl> <topic> <schema.avsc> <value.json>  -> prints the record bytes, base64
//   node interop.js deserialize <registryUrl> <topic> <base64>                  -> prints the decoded value, JSON
// Exits non-zero with the error on stderr when anything fails.
const fs = require('fs');
const { SchemaRegistryClient, SerdeType, AvroSerializer, AvroDeserializer } = require('@confluentinc/schemaregistry');

function client(url) {
  return new SchemaRegistryClient({ baseURLs: [url], cacheCapacity: 100 });
}

async function serialize(url, topic, schemaFile, valueFile) {
  const registry = client(url);
  // The JS serializer's own auto-registration infers a schema from the value (a record named Record1), which no
  // typed reader accepts; so register the real schema under the TopicNameStrategy subject with the JS client and
  // let the serializer use that subject's latest version.
  await registry.register(`${topic}-value`, { schemaType: 'AVRO', schema: fs.readFileSync(schemaFile, 'utf8') });
  const serializer = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });
  const value = JSON.parse(fs.readFileSync(valueFile, 'utf8'));
  const bytes = await serializer.serialize(topic, value);
  process.stdout.write(bytes.toString('base64'));
}

async function deserialize(url, topic, base64) {
  const deserializer = new AvroDeserializer(client(url), SerdeType.VALUE, {});
  const value = await deserializer.deserialize(topic, Buffer.from(base64, 'base64'));
  process.stdout.write(JSON.stringify(value));
}

async function main([command, ...args]) {
  switch (command) {
    case 'serialize': return serialize(...args);
    case 'deserialize': return deserialize(...args);
    default: throw new Error(`unknown command ${command}; use serialize or deserialize`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
