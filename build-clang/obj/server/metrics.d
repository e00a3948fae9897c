build-clang/obj/server/metrics.o: server/metrics.c server/metrics.h

server/metrics.h:
