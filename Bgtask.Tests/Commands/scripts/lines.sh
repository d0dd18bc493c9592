#!/bin/sh
# 100,000 numbered lines as fast as it can, then a last line with no line end.
seq 1 100000
printf 'the end, with no line end'
