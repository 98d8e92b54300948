(module
  (import "env" "memory" (memory 1))
  (func $silu (export "silu") (param $out i32) (param $x i32) (param $bytes i32)
    (local $endU i32)
    (local $v0 v128)
    (local $t0 v128)
    (local $nf0 v128)
    (local $r0 v128)
    (local $p0 v128)
    (local $v1 v128)
    (local $t1 v128)
    (local $nf1 v128)
    (local $r1 v128)
    (local $p1 v128)
    (local $v2 v128)
    (local $t2 v128)
    (local $nf2 v128)
    (local $r2 v128)
    (local $p2 v128)
    (local $v3 v128)
    (local $t3 v128)
    (local $nf3 v128)
    (local $r3 v128)
    (local $p3 v128)
    (local $f32:0 v128)
    (local $f32:-87 v128)
    (local $f32:88 v128)
    (local $f32:1.442695 v128)
    (local $f32:12582912 v128)
    (local $i32:0x3f800000 v128)
    (local $f32:0.6933594 v128)
    (local $f32:-0.00021219444 v128)
    (local $f32:0.16666666 v128)
    (local $f32:0.5 v128)
    (local $f32:0.008333452 v128)
    (local $f32:0.041665796 v128)
    (local $f32:0.00019875691 v128)
    (local $f32:0.0013981999 v128)
    (local $f32:1 v128)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000 ;; f32 0 or i32 0 in each lane
    local.set $f32:0
    v128.const i32x4 0xc2ae0000 0xc2ae0000 0xc2ae0000 0xc2ae0000 ;; f32 -87 or i32 -1028784128 in each lane
    local.set $f32:-87
    v128.const i32x4 0x42b00000 0x42b00000 0x42b00000 0x42b00000 ;; f32 88 or i32 1118830592 in each lane
    local.set $f32:88
    v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b ;; f32 1.442695 or i32 1069066811 in each lane
    local.set $f32:1.442695
    v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000 ;; f32 12582912 or i32 1262485504 in each lane
    local.set $f32:12582912
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $i32:0x3f800000
    v128.const i32x4 0x3f318000 0x3f318000 0x3f318000 0x3f318000 ;; f32 0.6933594 or i32 1060208640 in each lane
    local.set $f32:0.6933594
    v128.const i32x4 0xb95e8083 0xb95e8083 0xb95e8083 0xb95e8083 ;; f32 -0.00021219444 or i32 -1184989053 in each lane
    local.set $f32:-0.00021219444
    v128.const i32x4 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa ;; f32 0.16666666 or i32 1042983594 in each lane
    local.set $f32:0.16666666
    v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000 ;; f32 0.5 or i32 1056964608 in each lane
    local.set $f32:0.5
    v128.const i32x4 0x3c088908 0x3c088908 0x3c088908 0x3c088908 ;; f32 0.008333452 or i32 1007192328 in each lane
    local.set $f32:0.008333452
    v128.const i32x4 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 ;; f32 0.041665796 or i32 1026206145 in each lane
    local.set $f32:0.041665796
    v128.const i32x4 0x39506967 0x39506967 0x39506967 0x39506967 ;; f32 0.00019875691 or i32 961571175 in each lane
    local.set $f32:0.00019875691
    v128.const i32x4 0x3ab743ce 0x3ab743ce 0x3ab743ce 0x3ab743ce ;; f32 0.0013981999 or i32 985088974 in each lane
    local.set $f32:0.0013981999
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $f32:1
    local.get $x
    local.get $bytes
    i32.add
    local.set $bytes
    local.get $bytes
    local.get $x
    i32.sub
    i32.const -64
    i32.and
    local.get $x
    i32.add
    local.set $endU
    local.get $x
    local.get $endU
    i32.lt_u
    if
      loop
        local.get $x
        v128.load
        local.set $v0
        local.get $f32:0
        local.get $v0
        f32x4.sub
        local.set $t0
        local.get $t0
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t0
        local.get $t0
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf0
        local.get $nf0
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p0
        local.get $nf0
        local.get $f32:12582912
        f32x4.sub
        local.set $nf0
        local.get $t0
        local.get $nf0
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf0
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r0
        local.get $r0
        local.get $r0
        f32x4.mul
        local.set $nf0
        local.get $nf0
        local.get $nf0
        f32x4.mul
        local.set $t0
        local.get $r0
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf0
        local.get $r0
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t0
        local.get $r0
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf0
        f32x4.mul
        local.get $r0
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p0
        f32x4.mul
        local.set $p0
        local.get $out
        local.get $v0
        local.get $p0
        local.get $f32:1
        f32x4.add
        f32x4.div
        v128.store
        local.get $x
        v128.load offset=16
        local.set $v1
        local.get $f32:0
        local.get $v1
        f32x4.sub
        local.set $t1
        local.get $t1
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t1
        local.get $t1
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf1
        local.get $nf1
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p1
        local.get $nf1
        local.get $f32:12582912
        f32x4.sub
        local.set $nf1
        local.get $t1
        local.get $nf1
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf1
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r1
        local.get $r1
        local.get $r1
        f32x4.mul
        local.set $nf1
        local.get $nf1
        local.get $nf1
        f32x4.mul
        local.set $t1
        local.get $r1
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf1
        local.get $r1
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t1
        local.get $r1
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf1
        f32x4.mul
        local.get $r1
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p1
        f32x4.mul
        local.set $p1
        local.get $out
        local.get $v1
        local.get $p1
        local.get $f32:1
        f32x4.add
        f32x4.div
        v128.store offset=16
        local.get $x
        v128.load offset=32
        local.set $v2
        local.get $f32:0
        local.get $v2
        f32x4.sub
        local.set $t2
        local.get $t2
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t2
        local.get $t2
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf2
        local.get $nf2
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p2
        local.get $nf2
        local.get $f32:12582912
        f32x4.sub
        local.set $nf2
        local.get $t2
        local.get $nf2
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf2
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r2
        local.get $r2
        local.get $r2
        f32x4.mul
        local.set $nf2
        local.get $nf2
        local.get $nf2
        f32x4.mul
        local.set $t2
        local.get $r2
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf2
        local.get $r2
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t2
        local.get $r2
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf2
        f32x4.mul
        local.get $r2
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p2
        f32x4.mul
        local.set $p2
        local.get $out
        local.get $v2
        local.get $p2
        local.get $f32:1
        f32x4.add
        f32x4.div
        v128.store offset=32
        local.get $x
        v128.load offset=48
        local.set $v3
        local.get $f32:0
        local.get $v3
        f32x4.sub
        local.set $t3
        local.get $t3
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t3
        local.get $t3
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf3
        local.get $nf3
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p3
        local.get $nf3
        local.get $f32:12582912
        f32x4.sub
        local.set $nf3
        local.get $t3
        local.get $nf3
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf3
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r3
        local.get $r3
        local.get $r3
        f32x4.mul
        local.set $nf3
        local.get $nf3
        local.get $nf3
        f32x4.mul
        local.set $t3
        local.get $r3
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf3
        local.get $r3
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t3
        local.get $r3
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf3
        f32x4.mul
        local.get $r3
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p3
        f32x4.mul
        local.set $p3
        local.get $out
        local.get $v3
        local.get $p3
        local.get $f32:1
        f32x4.add
        f32x4.div
        v128.store offset=48
        local.get $out
        i32.const 64
        i32.add
        local.set $out
        local.get $x
        i32.const 64
        i32.add
        local.tee $x
        local.get $endU
        i32.lt_u
        br_if 0
      end
    end
    local.get $x
    local.get $bytes
    i32.lt_u
    if
      loop
        local.get $x
        v128.load
        local.set $v0
        local.get $f32:0
        local.get $v0
        f32x4.sub
        local.set $t0
        local.get $t0
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t0
        local.get $t0
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf0
        local.get $nf0
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p0
        local.get $nf0
        local.get $f32:12582912
        f32x4.sub
        local.set $nf0
        local.get $t0
        local.get $nf0
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf0
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r0
        local.get $r0
        local.get $r0
        f32x4.mul
        local.set $nf0
        local.get $nf0
        local.get $nf0
        f32x4.mul
        local.set $t0
        local.get $r0
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf0
        local.get $r0
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t0
        local.get $r0
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf0
        f32x4.mul
        local.get $r0
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p0
        f32x4.mul
        local.set $p0
        local.get $out
        local.get $v0
        local.get $p0
        local.get $f32:1
        f32x4.add
        f32x4.div
        v128.store
        local.get $out
        i32.const 16
        i32.add
        local.set $out
        local.get $x
        i32.const 16
        i32.add
        local.tee $x
        local.get $bytes
        i32.lt_u
        br_if 0
      end
    end
  )
  (func $siluGrad (export "siluGrad") (param $out i32) (param $dy i32) (param $x i32) (param $bytes i32)
    (local $v v128)
    (local $t v128)
    (local $nf v128)
    (local $r v128)
    (local $p v128)
    (local $f32:0 v128)
    (local $f32:-87 v128)
    (local $f32:88 v128)
    (local $f32:1.442695 v128)
    (local $f32:12582912 v128)
    (local $i32:0x3f800000 v128)
    (local $f32:0.6933594 v128)
    (local $f32:-0.00021219444 v128)
    (local $f32:0.16666666 v128)
    (local $f32:0.5 v128)
    (local $f32:0.008333452 v128)
    (local $f32:0.041665796 v128)
    (local $f32:0.00019875691 v128)
    (local $f32:0.0013981999 v128)
    (local $f32:1 v128)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000 ;; f32 0 or i32 0 in each lane
    local.set $f32:0
    v128.const i32x4 0xc2ae0000 0xc2ae0000 0xc2ae0000 0xc2ae0000 ;; f32 -87 or i32 -1028784128 in each lane
    local.set $f32:-87
    v128.const i32x4 0x42b00000 0x42b00000 0x42b00000 0x42b00000 ;; f32 88 or i32 1118830592 in each lane
    local.set $f32:88
    v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b ;; f32 1.442695 or i32 1069066811 in each lane
    local.set $f32:1.442695
    v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000 ;; f32 12582912 or i32 1262485504 in each lane
    local.set $f32:12582912
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $i32:0x3f800000
    v128.const i32x4 0x3f318000 0x3f318000 0x3f318000 0x3f318000 ;; f32 0.6933594 or i32 1060208640 in each lane
    local.set $f32:0.6933594
    v128.const i32x4 0xb95e8083 0xb95e8083 0xb95e8083 0xb95e8083 ;; f32 -0.00021219444 or i32 -1184989053 in each lane
    local.set $f32:-0.00021219444
    v128.const i32x4 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa ;; f32 0.16666666 or i32 1042983594 in each lane
    local.set $f32:0.16666666
    v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000 ;; f32 0.5 or i32 1056964608 in each lane
    local.set $f32:0.5
    v128.const i32x4 0x3c088908 0x3c088908 0x3c088908 0x3c088908 ;; f32 0.008333452 or i32 1007192328 in each lane
    local.set $f32:0.008333452
    v128.const i32x4 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 ;; f32 0.041665796 or i32 1026206145 in each lane
    local.set $f32:0.041665796
    v128.const i32x4 0x39506967 0x39506967 0x39506967 0x39506967 ;; f32 0.00019875691 or i32 961571175 in each lane
    local.set $f32:0.00019875691
    v128.const i32x4 0x3ab743ce 0x3ab743ce 0x3ab743ce 0x3ab743ce ;; f32 0.0013981999 or i32 985088974 in each lane
    local.set $f32:0.0013981999
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $f32:1
    local.get $x
    local.get $bytes
    i32.add
    local.set $bytes
    loop
      local.get $x
      v128.load
      local.set $v
      local.get $f32:0
      local.get $v
      f32x4.sub
      local.set $t
      local.get $t
      local.get $f32:-87
      f32x4.pmax
      local.get $f32:88
      f32x4.pmin
      local.set $t
      local.get $t
      local.get $f32:1.442695
      f32x4.mul
      local.get $f32:12582912
      f32x4.add
      local.set $nf
      local.get $nf
      i32.const 23
      i32x4.shl
      local.get $i32:0x3f800000
      i32x4.add
      local.set $p
      local.get $nf
      local.get $f32:12582912
      f32x4.sub
      local.set $nf
      local.get $t
      local.get $nf
      local.get $f32:0.6933594
      f32x4.mul
      f32x4.sub
      local.get $nf
      local.get $f32:-0.00021219444
      f32x4.mul
      f32x4.sub
      local.set $r
      local.get $r
      local.get $r
      f32x4.mul
      local.set $nf
      local.get $nf
      local.get $nf
      f32x4.mul
      local.set $t
      local.get $r
      local.get $f32:0.16666666
      f32x4.mul
      local.get $f32:0.5
      f32x4.add
      local.get $nf
      local.get $r
      local.get $f32:0.008333452
      f32x4.mul
      local.get $f32:0.041665796
      f32x4.add
      f32x4.mul
      f32x4.add
      local.get $t
      local.get $r
      local.get $f32:0.00019875691
      f32x4.mul
      local.get $f32:0.0013981999
      f32x4.add
      f32x4.mul
      f32x4.add
      local.get $nf
      f32x4.mul
      local.get $r
      local.get $f32:1
      f32x4.add
      f32x4.add
      local.get $p
      f32x4.mul
      local.set $p
      local.get $f32:1
      local.get $p
      local.get $f32:1
      f32x4.add
      f32x4.div
      local.set $p
      local.get $out
      local.get $dy
      v128.load
      local.get $p
      f32x4.mul
      local.get $f32:1
      local.get $v
      local.get $f32:1
      local.get $p
      f32x4.sub
      f32x4.mul
      f32x4.add
      f32x4.mul
      v128.store
      local.get $out
      i32.const 16
      i32.add
      local.set $out
      local.get $dy
      i32.const 16
      i32.add
      local.set $dy
      local.get $x
      i32.const 16
      i32.add
      local.tee $x
      local.get $bytes
      i32.lt_u
      br_if 0
    end
  )
  (func $siluSig (export "siluSig") (param $out i32) (param $sig i32) (param $x i32) (param $bytes i32)
    (local $endU i32)
    (local $v0 v128)
    (local $t0 v128)
    (local $nf0 v128)
    (local $r0 v128)
    (local $p0 v128)
    (local $v1 v128)
    (local $t1 v128)
    (local $nf1 v128)
    (local $r1 v128)
    (local $p1 v128)
    (local $v2 v128)
    (local $t2 v128)
    (local $nf2 v128)
    (local $r2 v128)
    (local $p2 v128)
    (local $v3 v128)
    (local $t3 v128)
    (local $nf3 v128)
    (local $r3 v128)
    (local $p3 v128)
    (local $f32:0 v128)
    (local $f32:-87 v128)
    (local $f32:88 v128)
    (local $f32:1.442695 v128)
    (local $f32:12582912 v128)
    (local $i32:0x3f800000 v128)
    (local $f32:0.6933594 v128)
    (local $f32:-0.00021219444 v128)
    (local $f32:0.16666666 v128)
    (local $f32:0.5 v128)
    (local $f32:0.008333452 v128)
    (local $f32:0.041665796 v128)
    (local $f32:0.00019875691 v128)
    (local $f32:0.0013981999 v128)
    (local $f32:1 v128)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000 ;; f32 0 or i32 0 in each lane
    local.set $f32:0
    v128.const i32x4 0xc2ae0000 0xc2ae0000 0xc2ae0000 0xc2ae0000 ;; f32 -87 or i32 -1028784128 in each lane
    local.set $f32:-87
    v128.const i32x4 0x42b00000 0x42b00000 0x42b00000 0x42b00000 ;; f32 88 or i32 1118830592 in each lane
    local.set $f32:88
    v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b ;; f32 1.442695 or i32 1069066811 in each lane
    local.set $f32:1.442695
    v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000 ;; f32 12582912 or i32 1262485504 in each lane
    local.set $f32:12582912
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $i32:0x3f800000
    v128.const i32x4 0x3f318000 0x3f318000 0x3f318000 0x3f318000 ;; f32 0.6933594 or i32 1060208640 in each lane
    local.set $f32:0.6933594
    v128.const i32x4 0xb95e8083 0xb95e8083 0xb95e8083 0xb95e8083 ;; f32 -0.00021219444 or i32 -1184989053 in each lane
    local.set $f32:-0.00021219444
    v128.const i32x4 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa ;; f32 0.16666666 or i32 1042983594 in each lane
    local.set $f32:0.16666666
    v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000 ;; f32 0.5 or i32 1056964608 in each lane
    local.set $f32:0.5
    v128.const i32x4 0x3c088908 0x3c088908 0x3c088908 0x3c088908 ;; f32 0.008333452 or i32 1007192328 in each lane
    local.set $f32:0.008333452
    v128.const i32x4 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 ;; f32 0.041665796 or i32 1026206145 in each lane
    local.set $f32:0.041665796
    v128.const i32x4 0x39506967 0x39506967 0x39506967 0x39506967 ;; f32 0.00019875691 or i32 961571175 in each lane
    local.set $f32:0.00019875691
    v128.const i32x4 0x3ab743ce 0x3ab743ce 0x3ab743ce 0x3ab743ce ;; f32 0.0013981999 or i32 985088974 in each lane
    local.set $f32:0.0013981999
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $f32:1
    local.get $x
    local.get $bytes
    i32.add
    local.set $bytes
    local.get $bytes
    local.get $x
    i32.sub
    i32.const -64
    i32.and
    local.get $x
    i32.add
    local.set $endU
    local.get $x
    local.get $endU
    i32.lt_u
    if
      loop
        local.get $x
        v128.load
        local.set $v0
        local.get $f32:0
        local.get $v0
        f32x4.sub
        local.set $t0
        local.get $t0
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t0
        local.get $t0
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf0
        local.get $nf0
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p0
        local.get $nf0
        local.get $f32:12582912
        f32x4.sub
        local.set $nf0
        local.get $t0
        local.get $nf0
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf0
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r0
        local.get $r0
        local.get $r0
        f32x4.mul
        local.set $nf0
        local.get $nf0
        local.get $nf0
        f32x4.mul
        local.set $t0
        local.get $r0
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf0
        local.get $r0
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t0
        local.get $r0
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf0
        f32x4.mul
        local.get $r0
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p0
        f32x4.mul
        local.set $p0
        local.get $f32:1
        local.get $p0
        local.get $f32:1
        f32x4.add
        f32x4.div
        local.set $p0
        local.get $sig
        local.get $p0
        v128.store
        local.get $out
        local.get $v0
        local.get $p0
        f32x4.mul
        v128.store
        local.get $x
        v128.load offset=16
        local.set $v1
        local.get $f32:0
        local.get $v1
        f32x4.sub
        local.set $t1
        local.get $t1
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t1
        local.get $t1
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf1
        local.get $nf1
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p1
        local.get $nf1
        local.get $f32:12582912
        f32x4.sub
        local.set $nf1
        local.get $t1
        local.get $nf1
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf1
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r1
        local.get $r1
        local.get $r1
        f32x4.mul
        local.set $nf1
        local.get $nf1
        local.get $nf1
        f32x4.mul
        local.set $t1
        local.get $r1
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf1
        local.get $r1
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t1
        local.get $r1
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf1
        f32x4.mul
        local.get $r1
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p1
        f32x4.mul
        local.set $p1
        local.get $f32:1
        local.get $p1
        local.get $f32:1
        f32x4.add
        f32x4.div
        local.set $p1
        local.get $sig
        local.get $p1
        v128.store offset=16
        local.get $out
        local.get $v1
        local.get $p1
        f32x4.mul
        v128.store offset=16
        local.get $x
        v128.load offset=32
        local.set $v2
        local.get $f32:0
        local.get $v2
        f32x4.sub
        local.set $t2
        local.get $t2
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t2
        local.get $t2
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf2
        local.get $nf2
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p2
        local.get $nf2
        local.get $f32:12582912
        f32x4.sub
        local.set $nf2
        local.get $t2
        local.get $nf2
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf2
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r2
        local.get $r2
        local.get $r2
        f32x4.mul
        local.set $nf2
        local.get $nf2
        local.get $nf2
        f32x4.mul
        local.set $t2
        local.get $r2
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf2
        local.get $r2
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t2
        local.get $r2
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf2
        f32x4.mul
        local.get $r2
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p2
        f32x4.mul
        local.set $p2
        local.get $f32:1
        local.get $p2
        local.get $f32:1
        f32x4.add
        f32x4.div
        local.set $p2
        local.get $sig
        local.get $p2
        v128.store offset=32
        local.get $out
        local.get $v2
        local.get $p2
        f32x4.mul
        v128.store offset=32
        local.get $x
        v128.load offset=48
        local.set $v3
        local.get $f32:0
        local.get $v3
        f32x4.sub
        local.set $t3
        local.get $t3
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t3
        local.get $t3
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf3
        local.get $nf3
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p3
        local.get $nf3
        local.get $f32:12582912
        f32x4.sub
        local.set $nf3
        local.get $t3
        local.get $nf3
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf3
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r3
        local.get $r3
        local.get $r3
        f32x4.mul
        local.set $nf3
        local.get $nf3
        local.get $nf3
        f32x4.mul
        local.set $t3
        local.get $r3
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf3
        local.get $r3
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t3
        local.get $r3
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf3
        f32x4.mul
        local.get $r3
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p3
        f32x4.mul
        local.set $p3
        local.get $f32:1
        local.get $p3
        local.get $f32:1
        f32x4.add
        f32x4.div
        local.set $p3
        local.get $sig
        local.get $p3
        v128.store offset=48
        local.get $out
        local.get $v3
        local.get $p3
        f32x4.mul
        v128.store offset=48
        local.get $out
        i32.const 64
        i32.add
        local.set $out
        local.get $sig
        i32.const 64
        i32.add
        local.set $sig
        local.get $x
        i32.const 64
        i32.add
        local.tee $x
        local.get $endU
        i32.lt_u
        br_if 0
      end
    end
    local.get $x
    local.get $bytes
    i32.lt_u
    if
      loop
        local.get $x
        v128.load
        local.set $v0
        local.get $f32:0
        local.get $v0
        f32x4.sub
        local.set $t0
        local.get $t0
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t0
        local.get $t0
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf0
        local.get $nf0
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p0
        local.get $nf0
        local.get $f32:12582912
        f32x4.sub
        local.set $nf0
        local.get $t0
        local.get $nf0
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf0
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r0
        local.get $r0
        local.get $r0
        f32x4.mul
        local.set $nf0
        local.get $nf0
        local.get $nf0
        f32x4.mul
        local.set $t0
        local.get $r0
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf0
        local.get $r0
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t0
        local.get $r0
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf0
        f32x4.mul
        local.get $r0
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p0
        f32x4.mul
        local.set $p0
        local.get $f32:1
        local.get $p0
        local.get $f32:1
        f32x4.add
        f32x4.div
        local.set $p0
        local.get $sig
        local.get $p0
        v128.store
        local.get $out
        local.get $v0
        local.get $p0
        f32x4.mul
        v128.store
        local.get $out
        i32.const 16
        i32.add
        local.set $out
        local.get $sig
        i32.const 16
        i32.add
        local.set $sig
        local.get $x
        i32.const 16
        i32.add
        local.tee $x
        local.get $bytes
        i32.lt_u
        br_if 0
      end
    end
  )
  (func $siluGradSig (export "siluGradSig") (param $out i32) (param $dy i32) (param $y i32) (param $s i32) (param $bytes i32)
    (local $p v128)
    (local $f32:1 v128)
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $f32:1
    local.get $s
    local.get $bytes
    i32.add
    local.set $bytes
    loop
      local.get $s
      v128.load
      local.set $p
      local.get $out
      local.get $dy
      v128.load
      local.get $p
      local.get $y
      v128.load
      local.get $f32:1
      local.get $p
      f32x4.sub
      f32x4.mul
      f32x4.add
      f32x4.mul
      v128.store
      local.get $out
      i32.const 16
      i32.add
      local.set $out
      local.get $dy
      i32.const 16
      i32.add
      local.set $dy
      local.get $y
      i32.const 16
      i32.add
      local.set $y
      local.get $s
      i32.const 16
      i32.add
      local.tee $s
      local.get $bytes
      i32.lt_u
      br_if 0
    end
  )
)
