/* The physical floor: parse a YAML stream with libyaml's event API and do nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: yaml-events FILE\n"); return 64; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buffer = malloc(size);
  if (fread(buffer, 1, size, f) != (size_t)size) { perror("read"); return 1; }
  fclose(f);
  yaml_parser_t parser;
  yaml_event_t event;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, buffer, size);
  long events = 0;
  for (;;) {
    if (!yaml_parser_parse(&parser, &event)) { fprintf(stderr, "parse error: %s\n", parser.problem); return 1; }
    int done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    events++;
    if (done) break;
  }
  yaml_parser_delete(&parser);
  printf("%ld events\n", events);
  return 0;
}
