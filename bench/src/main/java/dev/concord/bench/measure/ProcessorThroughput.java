package dev.concord.bench.measure;

import dev.concord.bench.BenchEnvironment;
import dev.concord.bench.load.KafkaLoad;
import dev.concord.bench.load.LoadGenerator;
import dev.concord.bench.load.LoadSpec;
import dev.concord.bench.report.Measurement;
import dev.concord.bench.report.Results;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Processor throughput under exactly_once_v2 and at_least_once, beside a plain consume→produce pipe
 * that copies the same preloaded events topic to a topic of the same shape on the same broker.
 */
public final class ProcessorThroughput {

    private final BenchEnvironment env;
    private final Map<String, String> threadMetrics = new HashMap<>();

    public ProcessorThroughput(BenchEnvironment env) {
        this.env = env;
    }

    public void run(Results results, int events) throws Exception {
        EntityType type = env.newType("throughput", MergePolicy.FIELD_MERGE, 6);
        try (ConcordContract contract = env.contract(type)) {
            LoadSpec spec = new LoadSpec(events, Math.max(1, events / 5), 3, 0.1, 0.3, 0.02, 200, 11);
            new KafkaLoad(env.kafkaConfig()).send(contract.topics().events(type),
                    new LoadGenerator(contract.payloads()).generate(type, spec, System.currentTimeMillis()), 0);
            String input = contract.topics().events(type).name();

            double pipe = pipe(input, type.partitions(), events);
            double eos = processor(results, contract, "exactly_once_v2", events);
            double alos = processor(results, contract, "at_least_once", events);
            String shape = events + " events of ~200 B, 6 partitions, " + spec.entities() + " entities, 3 writers";
            results.add(new Measurement("processor, exactly_once_v2", "events/s", eos, "plain consume→produce pipe", pipe, true,
                    shape + "; stream thread: " + threadMetrics.get("exactly_once_v2")));
            results.add(new Measurement("processor, at_least_once", "events/s", alos, "plain consume→produce pipe", pipe, true,
                    shape + "; stream thread: " + threadMetrics.get("at_least_once")));
            results.add(new Measurement("processor, exactly_once_v2", "events/s", eos, "processor, at_least_once", alos, true,
                    "the cost of exactly-once"));
        }
    }

    private double processor(Results results, ConcordContract contract, String guarantee, int events) {
        var profiler = env.profileDirectory().map(dir -> dev.concord.bench.report.Profiler.start(dir, "processor-" + guarantee));
        try (ProcessorInstance processor = new ProcessorInstance(env, contract, guarantee)) {
            processor.awaitProcessed(events, Duration.ofMinutes(10));
            threadMetrics.put(guarantee, processor.threadMetrics());
            return processor.metrics().ratePerSecond();
        } finally {
            profiler.ifPresent(p -> {
                results.addProfile("processor, " + guarantee + " (stream thread)", p.stopAndSummarize("StreamThread"));
                p.close();
            });
        }
    }

    /** Copies the topic record for record (no decoding), acks=all, as fast as it can. */
    private double pipe(String input, int partitions, int events) throws Exception {
        String output = input + "-pipe";
        try (Admin admin = Admin.create(env.kafkaConfig())) {
            admin.createTopics(List.of(new NewTopic(output, partitions, (short) 1))).all().get();
        }
        Map<String, Object> consumerConfig = new HashMap<>(env.kafkaConfig());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, output);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        Map<String, Object> producerConfig = new HashMap<>(env.kafkaConfig());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        long first = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(input));
            long consumed = 0;
            while (consumed < events) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (first == 0) {
                        first = System.nanoTime();
                    }
                    producer.send(new ProducerRecord<>(output, record.key(), record.value()));
                    consumed++;
                }
                consumer.commitAsync();
            }
            producer.flush();
            return events * 1e9 / (System.nanoTime() - first);
        }
    }
}
