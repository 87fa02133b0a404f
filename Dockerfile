# denyfs in a container: a build stage (Maven, JDK 17, gcc, make) and a runtime stage (a JRE 17,
# fuse, libfuse2, kmod, the launcher, the jar and target/native). A FUSE mount inside a container
# needs the FUSE device and CAP_SYS_ADMIN:
#
#   docker build -t denyfs .
#   docker run --rm -it --device /dev/fuse --cap-add SYS_ADMIN denyfs
#     (AppArmor/SELinux hosts may also need --security-opt apparmor=unconfined)
#   podman build --build-arg BASE=localhost/debian:bookworm -t localhost/denyfs .   (no registry)
#
# BASE is any Debian bookworm image. scripts/container-test builds and runs this image for real.
ARG BASE=debian:bookworm

FROM ${BASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends maven openjdk-17-jdk-headless gcc make libc6-dev \
      binutils libfuse2 kmod libkmod-dev ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
COPY src ./src
# Maven's repository is /root/.m2: 'podman build -v ~/.m2:/root/.m2' (scripts/container-test does)
# reuses the host's, so nothing is downloaded twice; without it Maven downloads what it needs.
RUN mvn -B -q -Dstyle.color=never -DskipTests -DskipITs package \
 && test -x target/native/denyfs-hold && test -f target/denyfs.jar
# The herd's generated module tree, built here with gcc and ld so the runtime needs neither
# ('denyfs bench herd --generated-tree' finds it ready under DENYFS_MODTREE).
ENV DENYFS_MODTREE=/var/cache/denyfs/modtree
RUN java -jar target/denyfs.jar bench herd --generated-tree --prepare-tree-only

FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless fuse libfuse2 kmod procps >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/denyfs.jar /opt/denyfs/target/denyfs.jar
COPY --from=build /src/target/native/ /opt/denyfs/target/native/
COPY --from=build /var/cache/denyfs/modtree/generated/ /var/cache/denyfs/modtree/generated/
COPY scripts/denyfs /opt/denyfs/scripts/denyfs
RUN ln -s /opt/denyfs/scripts/denyfs /usr/local/bin/denyfs \
 && rm -f /opt/denyfs/target/native/*.o
ENV DENYFS_MODTREE=/var/cache/denyfs/modtree
CMD ["bash"]
