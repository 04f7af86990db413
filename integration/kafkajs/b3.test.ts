import { B3 } from './support/formats.js';
import { defineKafkaSuite } from './support/kafka-suite.js';

defineKafkaSuite(B3);
