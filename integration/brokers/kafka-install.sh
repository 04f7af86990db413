# Sourced by brokers.sh and cluster.sh (after `here`, `cache`, `log`, `die` and versions.env):
# Apache Kafka's broker jars, resolved with Maven from Maven Central into one cache folder that
# both scripts share.

kafka_home() { echo "$cache/kafka-$KAFKA_VERSION"; }

kafka_install() {
  local home; home=$(kafka_home)
  [[ -f $home/.complete ]] && return 0
  command -v java >/dev/null || die "Kafka needs Java 17+ on the PATH (apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "Kafka's jars are resolved with Maven (apt-get install maven)"
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $home/libs"
  rm -rf "$home"; mkdir -p "$home/libs"
  local profile=()
  [[ $KAFKA_VERSION == 3.* ]] || profile=(-Dkafka4)
  mvn -q -B -f "$here/kafka/pom.xml" "-Dkafka.version=$KAFKA_VERSION" "${profile[@]}" \
    dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$home/libs" >&2 \
    || die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  touch "$home/.complete"
}
