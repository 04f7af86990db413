import { B3_MULTI } from './support/formats.js';
import { defineKafkaSuite } from './support/kafka-suite.js';

defineKafkaSuite(B3_MULTI);
