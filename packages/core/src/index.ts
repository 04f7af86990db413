export { createPropagator, parsePropagatorNames } from './propagation/create-propagator.js';
export { CompositePropagator } from './propagation/composite-propagator.js';
export { PROPAGATOR_NAMES, isPropagatorName } from './propagation/propagator-names.js';
export type { PropagatorName, PropagatorNames } from './propagation/propagator-names.js';
export type { PropagatorSettings } from './propagation/propagator-registry.js';
export { TraceContextPropagator } from './propagation/trace-context-propagator.js';
export { BaggagePropagator } from './propagation/baggage-propagator.js';
export { B3Propagator, B3_DEBUG_FLAG_KEY } from './propagation/b3-propagator.js';
export type { B3PropagatorOptions } from './propagation/b3-propagator.js';
export { JaegerPropagator, JAEGER_DEBUG_FLAG_KEY } from './propagation/jaeger-propagator.js';
export { RANDOM_TRACE_ID_FLAG_KEY } from './propagation/random-trace-id-flag.js';
export type { ReceivedTraceFlags } from './propagation/random-trace-id-flag.js';
export { TRACE_WIDE_FLAG_KEYS } from './propagation/trace-wide-flags.js';

export { DEFAULT_PROPAGATORS, ENV_EXTRACT_PROPAGATORS, ENV_OTEL_PROPAGATORS } from './options.js';
export type {
  BaggagePolicy,
  BatchingOptions,
  BatchSpans,
  InboundPolicy,
  MessagingHook,
  PropagatorOption,
  TracehopClientOptions,
  TracehopOptions,
} from './options.js';
export { resolveOptions, validateHook } from './resolve-options.js';
export { PropagationSource } from './propagation-choice.js';
export type { PropagationChoice } from './propagation-choice.js';
export { recogniseStockPropagator } from './stock-propagators.js';
export type { InstrumentationScope, ResolvedOptions } from './resolve-options.js';

export { decodeHeaderValue, headerGetter, headerSetter, readHeader } from './header-carrier.js';
export type { HeaderMap, HeaderValue } from './header-carrier.js';
export { injectHeaders } from './inject-headers.js';
export type { InjectHeadersOptions } from './inject-headers.js';
export { isOwnedHeader, mergeOwnedHeaders, ownedHeadersOf } from './owned-headers.js';
export type { OwnedHeaders, OwnsHeaderNames, OwnsHeaderPrefixes } from './owned-headers.js';

export { applyBaggagePolicy } from './baggage-policy.js';
export { NO_INBOUND, extractInbound, extractMessageContext, inboundContext } from './kernel/inbound-policy.js';
export type { InboundContext } from './kernel/inbound-policy.js';
export { startConsumerSpan, startReceiveSpan } from './kernel/consumer-spans.js';
export type { ConsumerSpanInit, MessagingSpan, ReceiveSpanInit } from './kernel/consumer-spans.js';
export { Publication, startProducerSpan } from './kernel/publication.js';
export type { CreateSpanInit, PublicationInit } from './kernel/publication.js';
export { processMessage, runInSpan } from './kernel/process-message.js';
export type { ProcessInit, Settlement } from './kernel/process-message.js';
export { SettlementTracker } from './kernel/settlement-tracker.js';
export type { Deadline, SettlementEvent, SettlementTrackerOptions } from './kernel/settlement-tracker.js';
export { endUnsettled } from './kernel/unsettled.js';
export type { UnsettledReason } from './kernel/unsettled.js';
export { notAClient, proxyClient } from './kernel/client-proxy.js';
export type { MethodOverrides, ProxyClientOptions } from './kernel/client-proxy.js';
export { existingWrapper, isInstrumented, registerWrapper } from './kernel/client-registry.js';
export { messageStamp } from './kernel/message-stamp.js';
export type { MessageStamp } from './kernel/message-stamp.js';
export { shared } from './kernel/process-state.js';
export { isThenable } from './kernel/thenable.js';
export { standaloneResolver } from './kernel/standalone.js';
export type { MessageSampling } from './kernel/process-message.js';
export { BacklogSampling, ATTR_SAMPLING_BACKLOG, ATTR_SAMPLING_PRESSURE, ATTR_SAMPLING_RATE } from './sampling/backlog-sampling.js';
export { BacklogSampler } from './sampling/backlog-sampler.js';
export type { SamplerLike } from './sampling/backlog-sampler.js';
export { DEFAULT_MIN_RATE, GUARD_CAP, backlogRate, pressureOf } from './sampling/backlog-rule.js';
export type { PressureState } from './sampling/backlog-rule.js';
export { keepsTrace } from './sampling/trace-id-decision.js';
export { DEFAULT_GUARD_THRESHOLDS, ResourceGuard, resourceGuard } from './sampling/resource-guard.js';
export type { GuardThresholds } from './sampling/resource-guard.js';
export { measureExports } from './sampling/measure-exports.js';
export type { SpanExporterLike } from './sampling/measure-exports.js';
export { resolveSampling } from './sampling/sampling-options.js';
export type { BacklogSamplingOptions, ConsumerSamplingOptions, ResolvedBacklogSampling, SamplingOptions } from './sampling/sampling-options.js';
export { samplingForDestination, samplingOf } from './sampling/sampling-registry.js';
export { injectMessageHeaders } from './kernel/inject-message.js';
export { MeterSource } from './metrics/meter-source.js';
export type { MessagingInstruments, MeterScope } from './metrics/meter-source.js';
export { OperationMeasure, ProcessMeasure, metricsActive, sentAttributes } from './metrics/messaging-metrics.js';
export type { ProcessMeasureInit, PublishMetricsInit, SentMessages } from './metrics/messaging-metrics.js';
export { MeteredSpan } from './metrics/metered-span.js';
export {
  DURATION_BUCKETS,
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
  METRIC_TRACEHOP_MESSAGING_WAIT_DURATION,
  UNIT_MESSAGES,
  UNIT_SECONDS,
  WAIT_BUCKETS,
} from './metrics/metric-definitions.js';
export { errorType, recordSpanError } from './errors.js';
export { runHookSafely } from './safe-hook.js';
export { INSTRUMENTATION_GATE, gateResolvedOptions } from './instrumentation-gate.js';
export type { InstrumentationGate } from './instrumentation-gate.js';
export { instrumentationClientOptions } from './instrumentation/client-options.js';
export { isReplacement, originalOf, replaceExport, restoreExport } from './instrumentation/module-exports.js';

export {
  ENV_SEMCONV_STABILITY_OPT_IN,
  RENAMED_MESSAGING_ATTRIBUTES,
  SemconvStability,
  addDeprecatedNames,
  messagingNames,
  messagingSemconvMode,
} from './semconv-stability.js';
export type { MessagingNames, MessagingSemconvMode } from './semconv-stability.js';
export {
  ATTR_ERROR_TYPE,
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_ANONYMOUS,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_DESTINATION_SUBSCRIPTION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPORARY,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_CONVERSATION_ID,
  ATTR_MESSAGING_MESSAGE_ENVELOPE_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_NSQ_MESSAGE_ATTEMPTS,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_RABBITMQ_DELIVERY_TAG,
  ATTR_MESSAGING_RABBITMQ_ROUTING_KEY,
  ATTR_MESSAGING_SYSTEM,
  ATTR_MESSAGING_SYSTEM_NAME,
  ATTR_RABBITMQ_DESTINATION_ROUTING_KEY,
  ATTR_RABBITMQ_MESSAGE_DELIVERY_TAG,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ERROR_TYPE_OTHER,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
} from './semconv.js';
export type { MessagingOperationType, MessagingSystem } from './semconv.js';
